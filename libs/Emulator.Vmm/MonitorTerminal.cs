using System.Buffers;
using System.Text;

namespace Emulator.Vmm;

/// <summary>
/// The monitor as a byte-stream conversation, still free of I/O: bytes typed in, bytes to show
/// out (banner, echo, command output with the terminal's line ends, prompt). The chardev mux
/// (Ctrl-a c) and <c>-monitor stdio|unix:...</c> both drive it.
/// </summary>
public sealed class MonitorTerminal
{
    private readonly HumanMonitor _monitor;
    private readonly MonitorOptions _options;
    private readonly LineEditor _editor;

    public MonitorTerminal(HumanMonitor monitor, MonitorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(monitor);
        _monitor = monitor;
        _options = options ?? new MonitorOptions();
        _editor = new LineEditor(_options.Echo, _options.NewLine);
    }

    /// <summary>True after <c>quit</c>; later input is ignored.</summary>
    public bool IsClosed { get; private set; }

    /// <summary>Writes the banner and the first prompt (QEMU does this when the monitor's chardev opens).</summary>
    public void Open(IBufferWriter<byte> output)
    {
        WriteText(output, _options.Banner + "\n");
        WritePrompt(output);
    }

    /// <summary>Shows a fresh prompt, e.g. when the user switches back to the monitor.</summary>
    public void ShowPrompt(IBufferWriter<byte> output)
    {
        _editor.Clear();
        WritePrompt(output);
    }

    /// <summary>Processes typed bytes; stops at <c>quit</c>.</summary>
    public void Feed(ReadOnlySpan<byte> input, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        foreach (byte b in input)
        {
            if (IsClosed)
            {
                return;
            }

            string? line = _editor.Push(b, output);
            if (line is null)
            {
                continue;
            }

            MonitorReply reply = _monitor.Execute(line);
            WriteText(output, reply.Output);
            if (reply.Quit)
            {
                IsClosed = true;
                return;
            }

            WritePrompt(output);
        }
    }

    private void WritePrompt(IBufferWriter<byte> output) => output.Write(Encoding.UTF8.GetBytes(_options.Prompt));

    private void WriteText(IBufferWriter<byte> output, string text)
    {
        string converted = _options.NewLine == "\n" ? text : text.Replace("\n", _options.NewLine, StringComparison.Ordinal);
        output.Write(Encoding.UTF8.GetBytes(converted));
    }
}
