using Emulator.Options;
using Emulator.Tests.Shared;
using Emulator.Vmm.CommandLine;

namespace Emulator.System.Tests.Block;

/// <summary>Random block options: a plan whose disks are consistent, or an <see cref="OptionsException"/>; nothing else.</summary>
public sealed class BlockCommandLineFuzzTests
{
    private static readonly string[] Options = ["-drive", "-blockdev", "-device", "-chardev", "-serial"];

    private static readonly string[] Pieces =
    [
        "file=x", "file=", "file=f", "format=raw", "format=qcow2", "format=vmdk", "if=virtio", "if=none", "if=ide", "id=d0", "id=d1",
        "id=0", "readonly=on", "read-only=off", "cache=none", "cache=unsafe", "discard=unmap", "serial=ABC", "serial=", "media=cdrom",
        "driver=file", "driver=raw", "driver=qcow2", "driver=x", "node-name=d0", "node-name=f", "node-name=n", "filename=img",
        "file.driver=file", "file.filename=img", "file.driver=nbd", "cache.direct=on", "virtio-blk-pci", "virtio-blk",
        "vhost-user-blk-pci", "drive=d0", "drive=f", "drive=n", "drive=none0", "chardev=c0", "num-queues=2", "num-queues=0",
        "num-queues=999999999999", "socket", "id=c0", "path=/tmp/s", "server=on", "chardev:c0", "null", ",,", "=", "", "help", "{",
        "reconnect=1", "reconnect=0", "reconnect=-1", "reconnect=x", "reconnect=99999999999", "reconnect-ms=250", "reconnect=",
    ];

    [Fact]
    [Trait("Category", FuzzBudget.Category)]
    public void Random_block_options_plan_or_fail_with_options_errors()
    {
        var random = new Random(2718);
        for (int i = 0, n = FuzzBudget.Iterations(20_000); i < n; i++)
        {
            List<string> args = [];
            for (int j = random.Next(1, 5); j > 0; j--)
            {
                args.Add(Options[random.Next(Options.Length)]);
                args.Add(Value(random));
            }

            try
            {
                CommandLineResult result = EmulatorCommandLine.Parse(args);
                if (result.Configuration is not VmConfiguration config)
                {
                    continue;
                }

                BlockPlan plan = BlockPlanner.Plan(config);
                foreach (PlannedDisk disk in plan.Disks)
                {
                    Assert.True((disk.Image is null) != (disk.SocketPath is null));
                    Assert.InRange(disk.NumQueues, 1, 64);
                    Assert.True(disk.Reconnect is null || (disk.SocketPath is not null && disk.Reconnect > TimeSpan.Zero));
                    if (disk.Image is not null)
                    {
                        Assert.Contains("--blk-file", disk.ServerArguments());
                    }
                }

                Assert.True(plan.OtherChardevs.Count <= config.Chardevs.Count);
            }
            catch (OptionsException e)
            {
                Assert.False(string.IsNullOrWhiteSpace(e.Message));
            }
        }
    }

    private static string Value(Random random)
    {
        var parts = new string[random.Next(1, 6)];
        for (int i = 0; i < parts.Length; i++)
        {
            parts[i] = random.Next(6) == 0 ? RandomText(random) : Pieces[random.Next(Pieces.Length)];
        }

        return string.Join(',', parts);
    }

    private static string RandomText(Random random)
    {
        char[] text = new char[random.Next(0, 10)];
        for (int i = 0; i < text.Length; i++)
        {
            text[i] = random.Next(3) == 0 ? "=,.{"[random.Next(4)] : (char)random.Next(0, 128);
        }

        return new string(text);
    }
}
