using System.Buffers;
using System.Text;
using Emulator.Vmm;

namespace Emulator.System.Tests;

public sealed class MonitorTerminalTests
{
    private const string Banner = "emu 0.1.0 monitor - type 'help' for more information";

    private readonly FakeVm _vm = new();

    private (MonitorTerminal Terminal, ArrayBufferWriter<byte> Output) Open(MonitorOptions? options = null)
    {
        var terminal = new MonitorTerminal(new HumanMonitor(_vm), options);
        var output = new ArrayBufferWriter<byte>();
        terminal.Open(output);
        return (terminal, output);
    }

    private static string Text(ArrayBufferWriter<byte> output) => Encoding.UTF8.GetString(output.WrittenSpan);

    [Fact]
    public void OpensWithBannerAndPrompt()
    {
        (_, ArrayBufferWriter<byte> output) = Open();
        Assert.Equal(Banner + "\r\n(qemu) ", Text(output));
    }

    [Fact]
    public void RawTerminalConversation()
    {
        (MonitorTerminal terminal, ArrayBufferWriter<byte> output) = Open();
        output.Clear();
        terminal.Feed("info status\r"u8, output);
        Assert.Equal("info status\r\nVM status: running\r\n(qemu) ", Text(output));

        output.Clear();
        terminal.Feed("stop\rinfo status\r"u8, output);
        Assert.Equal("stop\r\n(qemu) info status\r\nVM status: paused\r\n(qemu) ", Text(output));
    }

    [Fact]
    public void InputSplitAcrossFeedsIsOneLine()
    {
        (MonitorTerminal terminal, ArrayBufferWriter<byte> output) = Open();
        output.Clear();
        terminal.Feed("inf"u8, output);
        terminal.Feed("o stat"u8, output);
        terminal.Feed("us\r"u8, output);
        terminal.Feed("\n"u8, output);
        Assert.Equal("info status\r\nVM status: running\r\n(qemu) ", Text(output));
    }

    [Fact]
    public void QuitClosesAndIgnoresTheRest()
    {
        (MonitorTerminal terminal, ArrayBufferWriter<byte> output) = Open();
        output.Clear();
        terminal.Feed("quit\rstop\r"u8, output);
        Assert.True(terminal.IsClosed);
        Assert.Equal("quit\r\n", Text(output));
        Assert.Equal(["quit"], _vm.Calls);
    }

    [Fact]
    public void PipeModeHasNoEchoAndPlainNewlines()
    {
        (MonitorTerminal terminal, ArrayBufferWriter<byte> output) = Open(new MonitorOptions
        {
            Echo = false,
            NewLine = "\n",
            ProductName = "emu-x",
            Version = "9.9",
        });
        terminal.Feed("help stop\n"u8, output);
        Assert.Equal(
            "emu-x 9.9 monitor - type 'help' for more information\n(qemu) stop|s  -- stop emulation\n(qemu) ",
            Text(output));
    }

    [Fact]
    public void ShowPromptDropsAHalfTypedLine()
    {
        (MonitorTerminal terminal, ArrayBufferWriter<byte> output) = Open();
        terminal.Feed("sto"u8, output);
        output.Clear();
        terminal.ShowPrompt(output);
        terminal.Feed("info status\r"u8, output);
        Assert.Equal("(qemu) info status\r\nVM status: running\r\n(qemu) ", Text(output));
        Assert.Empty(_vm.Calls);
    }
}
