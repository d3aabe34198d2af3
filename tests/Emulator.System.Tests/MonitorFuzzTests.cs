using Emulator.Tests.Shared;
using System.Buffers;
using System.Text;
using Emulator.Vmm;

namespace Emulator.System.Tests;

public sealed class MonitorFuzzTests
{
    private static readonly string[] Words =
        ["help", "?", "info", "status", "registers", "stop", "s", "cont", "c", "quit", "system_reset", "/", "x", " ", "\t", "é", "|", "'", "\"", "\0"];

    [Fact]

    [Trait("Category", FuzzBudget.Category)]
    public void RandomCommandLinesNeverThrow()
    {
        var random = new Random(42);
        for (int i = 0, n = FuzzBudget.Iterations(5000); i < n; i++)
        {
            var vm = new FakeVm { State = (RunState)random.Next(0, 7) };
            var line = new StringBuilder();
            int count = random.Next(0, 6);
            for (int j = 0; j < count; j++)
            {
                line.Append(random.Next(3) == 0 ? (char)random.Next(0, 0x800) : Words[random.Next(Words.Length)]);
                if (random.Next(2) == 0)
                {
                    line.Append(' ');
                }
            }

            MonitorReply reply = new HumanMonitor(vm).Execute(line.ToString());
            Assert.NotNull(reply.Output);
            Assert.True(reply.Output.Length == 0 || reply.Output.EndsWith('\n'));
        }
    }

    [Fact]
    public void RandomKeystrokesNeverThrowAndStayBounded()
    {
        var random = new Random(7);
        byte[] keys = new byte[64];
        for (int session = 0; session < 200; session++)
        {
            var terminal = new MonitorTerminal(new HumanMonitor(new FakeVm()));
            var output = new ArrayBufferWriter<byte>();
            terminal.Open(output);
            for (int chunk = 0; chunk < 100 && !terminal.IsClosed; chunk++)
            {
                random.NextBytes(keys);
                terminal.Feed(keys.AsSpan(0, random.Next(keys.Length)), output);
            }

            Assert.True(output.WrittenCount > 0);
        }
    }
}
