using Emulator.Tests.Shared;
using Emulator.DeviceHost;

namespace Emulator.System.Tests;

public sealed class DeviceServerArgumentFuzzTests
{
    private static readonly string[] Tokens =
    [
        "--fd", "--socket-path", "--parent-pid", "--print-capabilities", "--help", "-h", "--chardev", "--verbose",
        "--fd=", "--fd=3", "--socket-path=/tmp/x", "--chardev=", "--=", "--", "-", "=", "", " ", "3", "-3", "0",
        "2147483648", "4294967296", "/tmp/s.sock", "stdio", "\0", "é", "\uD800", "--x=y=z", "--verbose=",
    ];

    [Fact]

    [Trait("Category", FuzzBudget.Category)]
    public void RandomCommandLinesParseOrFailWithUsageErrors()
    {
        var definition = new DeviceServerDefinition(
            "fuzz",
            "fuzz",
            options: [new ServerOption("chardev", "STR", "x", Required: true), new ServerOption("verbose", null, "y")]);
        var random = new Random(1234);
        for (int i = 0, n = FuzzBudget.Iterations(5000); i < n; i++)
        {
            string[] args = new string[random.Next(0, 8)];
            for (int j = 0; j < args.Length; j++)
            {
                args[j] = random.Next(4) == 0 ? RandomText(random) : Tokens[random.Next(Tokens.Length)];
            }

            try
            {
                DeviceServerArguments parsed = DeviceServerArgumentParser.Parse(definition, args);
                Assert.True(parsed.Help || parsed.PrintCapabilities || (parsed.SocketPath is null) != (parsed.Fd is null));
            }
            catch (DeviceServerUsageException e)
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
            text[i] = (char)random.Next(0, 128);
        }

        return new string(text);
    }
}
