using Emulator.Tests.Shared;
using Emulator.Options;
using Emulator.Vmm.CommandLine;

namespace Emulator.System.Tests;

public sealed class EmulatorCommandLineFuzzTests
{
    private static readonly string[] Tokens =
    [
        "-m", "--m", "-chardev", "-serial", "-monitor", "-mon", "-display", "-name", "-nographic", "-S", "-version",
        "-h", "--help", "-", "--", "-x", "", " ", "512", "1G", "1.5G", "size=64M", "size=1M", "size=2T", "size=,", "0",
        "99999999999E", "-1", "stdio", "mon:stdio", "none", "null", "chardev=c0", "chardev=c0,mode=control",
        "chardev=,mode=readline", "socket,id=c0,path=/tmp/s,server=on,wait=off", "unix:/tmp/s,server,server=off",
        "type=none", "type=gtk", "gtk", "guest=vm", "vm,guest=x", ",,", "=", "a,a", "help", "?", "\0", "é", "\uD800",
    ];

    [Fact]

    [Trait("Category", FuzzBudget.Category)]
    public void Random_command_lines_parse_or_fail_with_options_errors()
    {
        var random = new Random(4321);
        for (int i = 0, n = FuzzBudget.Iterations(20_000); i < n; i++)
        {
            string[] args = new string[random.Next(0, 8)];
            for (int j = 0; j < args.Length; j++)
            {
                args[j] = random.Next(4) == 0 ? RandomText(random) : Tokens[random.Next(Tokens.Length)];
            }

            try
            {
                CommandLineResult result = EmulatorCommandLine.Parse(args);
                if (result.Configuration is VmConfiguration config)
                {
                    Assert.InRange(config.MemorySize, 2UL << 20, 1UL << 40);
                    Assert.InRange(config.Serials.Count, 0, 4);
                }
                else
                {
                    Assert.False(string.IsNullOrEmpty(result.Message));
                }
            }
            catch (OptionsException e)
            {
                Assert.False(string.IsNullOrWhiteSpace(e.Message));
            }
        }
    }

    private static string RandomText(Random random)
    {
        char[] text = new char[random.Next(0, 12)];
        for (int i = 0; i < text.Length; i++)
        {
            text[i] = random.Next(3) == 0 ? "-=,:"[random.Next(4)] : (char)random.Next(0, 128);
        }

        return new string(text);
    }
}
