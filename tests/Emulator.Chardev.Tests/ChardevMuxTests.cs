using System.Buffers;
using System.Text;

namespace Emulator.Chardev.Tests;

public class ChardevMuxTests
{
    private const byte CtrlA = 0x01;

    [Fact]
    public void PlainInputGoesToTheFocusedFrontEnd()
    {
        ChardevMux mux = new(2);
        RecordingMuxSink sink = new(2);
        Assert.Equal(5, mux.ProcessInput("hello"u8, sink));
        Assert.Equal("hello", sink.Text(0));
        Assert.Empty(sink.Delivered[1]);
        Assert.Empty(sink.Events);
    }

    [Fact]
    public void CtrlAcSwitchesFocusAndBack()
    {
        ChardevMux mux = new(2);
        RecordingMuxSink sink = new(2);
        Feed(mux, sink, [.. "ab"u8, CtrlA, (byte)'c', .. "xy"u8, CtrlA, (byte)'c', .. "z"u8]);
        Assert.Equal("abz", sink.Text(0));
        Assert.Equal("xy", sink.Text(1));
        Assert.Equal(["focus 0->1", "focus 1->0"], sink.Events);
        Assert.Equal(0, mux.Focus);
    }

    [Fact]
    public void CtrlAhPrintsQemuHelp()
    {
        ChardevMux mux = new(2);
        RecordingMuxSink sink = new(2);
        Feed(mux, sink, [CtrlA, (byte)'h']);
        const string expected =
            "\n\r" +
            "C-a h    print this help\n\r" +
            "C-a x    exit emulator\n\r" +
            "C-a s    save disk data back to file (if -snapshot)\n\r" +
            "C-a t    toggle console timestamps\n\r" +
            "C-a b    send break (magic sysrq)\n\r" +
            "C-a c    switch between console and monitor\n\r" +
            "C-a C-a  sends C-a\n\r";
        Assert.Equal(expected, sink.BackendText);
        Assert.Empty(sink.Delivered[0]);
    }

    [Fact]
    public void QuestionMarkAlsoPrintsHelp()
    {
        RecordingMuxSink sink = new(1);
        new ChardevMux(1).ProcessInput([CtrlA, (byte)'?'], sink);
        Assert.StartsWith("\n\rC-a h    print this help", sink.BackendText, StringComparison.Ordinal);
    }

    [Fact]
    public void HelpNamesOtherEscapeCharacters()
    {
        Assert.StartsWith("\n\rC-b h    print this help\n\r", Encoding.ASCII.GetString(MuxHelp.Text(0x02)), StringComparison.Ordinal);
        string high = Encoding.ASCII.GetString(MuxHelp.Text(0x1d));
        Assert.StartsWith("\n\rEscape-Char set to Ascii: 0x1d\n\r\n\rEscape-Char h    print this help\n\r", high, StringComparison.Ordinal);
        Assert.EndsWith("Escape-Char Escape-Char  sends Escape-Char\n\r", high, StringComparison.Ordinal);
    }

    [Fact]
    public void CtrlAxPrintsTerminatedAndRequestsExit()
    {
        ChardevMux mux = new(1);
        RecordingMuxSink sink = new(1);
        Feed(mux, sink, [(byte)'q', CtrlA, (byte)'x']);
        Assert.Equal("QEMU: Terminated\n\r", sink.BackendText);
        Assert.Equal(["exit"], sink.Events);
        Assert.Equal("q", sink.Text(0));
    }

    [Fact]
    public void CtrlACtrlASendsOneCtrlA()
    {
        ChardevMux mux = new(1);
        RecordingMuxSink sink = new(1);
        Feed(mux, sink, [CtrlA, CtrlA, (byte)'k']);
        Assert.Equal([CtrlA, (byte)'k'], sink.Delivered[0]);
        Assert.Empty(sink.Events);
    }

    [Fact]
    public void CtrlAbSendsBreakToTheFocusedFrontEnd()
    {
        ChardevMux mux = new(2);
        RecordingMuxSink sink = new(2);
        Feed(mux, sink, [CtrlA, (byte)'b', CtrlA, (byte)'c', CtrlA, (byte)'b']);
        Assert.Equal(["break 0", "focus 0->1", "break 1"], sink.Events);
    }

    [Fact]
    public void CtrlAsRequestsCommitAndUnknownCommandsAreSwallowed()
    {
        ChardevMux mux = new(1);
        RecordingMuxSink sink = new(1);
        Feed(mux, sink, [CtrlA, (byte)'s', CtrlA, (byte)'z', (byte)'!']);
        Assert.Equal(["commit"], sink.Events);
        Assert.Equal("!", sink.Text(0));
        Assert.Empty(sink.Backend);
    }

    [Fact]
    public void WholeBufferAndByteByByteAgree()
    {
        byte[] input = [.. "log"u8, CtrlA, (byte)'c', .. "info"u8, CtrlA, CtrlA, CtrlA, (byte)'c', .. "ok"u8, CtrlA];
        RecordingMuxSink whole = new(2);
        ChardevMux wholeMux = new(2);
        Assert.Equal(input.Length, wholeMux.ProcessInput(input, whole));

        RecordingMuxSink single = new(2);
        ChardevMux singleMux = new(2);
        Feed(singleMux, single, input);

        Assert.Equal(whole.Delivered[0], single.Delivered[0]);
        Assert.Equal(whole.Delivered[1], single.Delivered[1]);
        Assert.Equal(whole.Events, single.Events);
        Assert.Equal("ok", single.Text(0)[^2..]);
        Assert.True(singleMux.EscapePending);
    }

    [Fact]
    public void FullFrontEndStopsConsumptionWithoutLosingBytes()
    {
        ChardevMux mux = new(2);
        RecordingMuxSink sink = new(2);
        sink.Capacity[0] = 2;
        byte[] input = [.. "abcd"u8, CtrlA, (byte)'c', .. "e"u8];
        int consumed = mux.ProcessInput(input, sink);
        Assert.Equal(2, consumed);
        Assert.Equal("ab", sink.Text(0));

        sink.Capacity[0] = int.MaxValue;
        consumed += mux.ProcessInput(input.AsSpan(consumed), sink);
        Assert.Equal(input.Length, consumed);
        Assert.Equal("abcd", sink.Text(0));
        Assert.Equal("e", sink.Text(1));
    }

    [Fact]
    public void EscapedCtrlAIsRetriedWhenTheFrontEndWasFull()
    {
        ChardevMux mux = new(1);
        RecordingMuxSink sink = new(1);
        sink.Capacity[0] = 0;
        Assert.Equal(1, mux.ProcessInput([CtrlA, CtrlA], sink));
        Assert.True(mux.EscapePending);
        sink.Capacity[0] = 1;
        Assert.Equal(1, mux.ProcessInput([CtrlA], sink));
        Assert.Equal([CtrlA], sink.Delivered[0]);
        Assert.False(mux.EscapePending);
    }

    [Fact]
    public void SetFocusReportsMuxOutAndIn()
    {
        ChardevMux mux = new(3, initialFocus: 2);
        RecordingMuxSink sink = new(3);
        mux.SetFocus(1, sink);
        Assert.Equal(1, mux.Focus);
        Feed(mux, sink, [CtrlA, (byte)'c', CtrlA, (byte)'c']);
        Assert.Equal(["focus 2->1", "focus 1->2", "focus 2->0"], sink.Events);
    }

    [Fact]
    public void OutputPassesThroughWithoutTimestamps()
    {
        ChardevMux mux = new(2);
        ArrayBufferWriter<byte> output = new();
        mux.FormatOutput("a\nb\n"u8, output);
        Assert.Equal("a\nb\n", Encoding.ASCII.GetString(output.WrittenSpan));
    }

    [Fact]
    public void CtrlAtStampsLinesAfterTheNextNewline()
    {
        ManualTimeProvider time = new();
        ChardevMux mux = new(1, time: time);
        RecordingMuxSink sink = new(1);
        Feed(mux, sink, [CtrlA, (byte)'t']);
        Assert.True(mux.Timestamps);

        ArrayBufferWriter<byte> output = new();
        mux.FormatOutput("tail of line\nfirst"u8, output);
        time.Advance(TimeSpan.FromMilliseconds(3_723_456));
        mux.FormatOutput("\nsecond\n"u8, output);
        Assert.Equal("tail of line\n[00:00:00.000] first\n[01:02:03.456] second\n", Encoding.ASCII.GetString(output.WrittenSpan));

        // Toggling off and on restarts the clock at the next stamped line.
        Feed(mux, sink, [CtrlA, (byte)'t', CtrlA, (byte)'t']);
        output.ResetWrittenCount();
        time.Advance(TimeSpan.FromSeconds(5));
        mux.FormatOutput("x\ny"u8, output);
        Assert.Equal("x\n[00:00:00.000] y", Encoding.ASCII.GetString(output.WrittenSpan));
    }

    private static void Feed(ChardevMux mux, RecordingMuxSink sink, byte[] input)
    {
        foreach (byte b in input)
        {
            Assert.Equal(1, mux.ProcessInput([b], sink));
        }
    }
}
