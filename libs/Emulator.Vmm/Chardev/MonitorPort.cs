using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using Emulator.Chardev;
using Emulator.Posix;

namespace Emulator.Vmm.Chardev;

/// <summary>
/// Runs the human monitor over one chardev stream on a thread of its own: it waits on the stream's
/// ring (spinning briefly after traffic, then sleeping) and on server events. Like QEMU's monitor it
/// prints its banner when the chardev opens (each new socket client gets one) and, on a mux, holds
/// its output while another front-end has the focus: the first C-a c shows the banner and a
/// prompt, later ones a fresh prompt, and leaving the monitor ends the line.
/// </summary>
public sealed class MonitorPort : IDisposable
{
    private const int SpaceWaitMs = 50;

    private readonly HumanMonitor _monitor;
    private readonly ChardevStream _stream;
    private readonly MonitorOptions _options;
    private readonly Action<string> _log;
    private readonly ConcurrentQueue<ChardevEvent> _events = new();
    private readonly EventFd _wake = new();
    private readonly ArrayBufferWriter<byte> _pending = new();
    private readonly ArrayBufferWriter<byte> _held = new();
    private readonly Thread _thread;
    private readonly Lock _wakeLock = new();
    private volatile bool _stopping;
    private MonitorTerminal? _terminal;
    private bool _focused;
    private bool _started;
    private int _disposed;

    /// <param name="monitor">The command interpreter (shared by every monitor of the VM).</param>
    /// <param name="stream">The stream it talks over; the mux starts with stream 0 focused.</param>
    /// <param name="muxed">The chardev is a mux, so focus events apply.</param>
    /// <param name="options">Prompt, echo, line ends.</param>
    /// <param name="log">Where a failure of the stream is reported.</param>
    public MonitorPort(HumanMonitor monitor, ChardevStream stream, bool muxed, MonitorOptions? options = null, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(monitor);
        ArgumentNullException.ThrowIfNull(stream);
        _monitor = monitor;
        _stream = stream;
        _options = options ?? new MonitorOptions();
        _log = log ?? (_ => { });
        _focused = !muxed || stream.Id == 0;
        _thread = new Thread(Loop) { IsBackground = true, Name = $"monitor-stream{stream.Id}" };
    }

    public void Start()
    {
        _started = true;
        _thread.Start();
    }

    /// <summary>Hands a server event to the monitor thread (from the client's listener thread); ignored once disposed.</summary>
    public void Post(ChardevEvent e)
    {
        _events.Enqueue(e);
        lock (_wakeLock)
        {
            if (!_stopping)
            {
                _wake.Signal();
            }
        }
    }

    /// <summary>
    /// Stops the thread and waits for it, whoever calls (a server's death and the machine's end may
    /// race): when any call returns, the stream is no longer used. The stream stays the caller's.
    /// </summary>
    public void Dispose()
    {
        lock (_wakeLock)
        {
            if (!_stopping)
            {
                _stopping = true;
                _wake.Signal();
            }
        }

        if (_started && Thread.CurrentThread != _thread)
        {
            _thread.Join();
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                _wake.Dispose();
            }
        }
    }

    private void Loop()
    {
        ProcessControl.SetThreadName(_thread.Name ?? "monitor");
        byte[] buffer = new byte[512];
        try
        {
            while (!_stopping)
            {
                while (_events.TryDequeue(out ChardevEvent e))
                {
                    Apply(e);
                }

                int n = _stream.Input.Read(buffer);
                if (n > 0)
                {
                    // Input can beat the "opened" event (it travels on another socket): open now.
                    Terminal().Feed(buffer.AsSpan(0, n), _pending);
                }

                Flush();
                if (n == 0 && _events.IsEmpty && !_stream.Input.WaitForData(-1, _wake.Handle))
                {
                    _wake.TryConsume(out _);
                }
            }
        }
        catch (IOException e)
        {
            // A ring the server corrupted: this monitor is gone, the VM is not.
            _log($"monitor on stream {_stream.Id}: {e.Message}");
        }
    }

    private void Apply(ChardevEvent e)
    {
        switch (e.Kind)
        {
            case ChardevEventKind.Opened when _terminal is null:
                _terminal = new MonitorTerminal(_monitor, _options);
                _terminal.Open(_pending);
                break;
            case ChardevEventKind.Closed:
                _terminal = null;
                break;
            case ChardevEventKind.FocusChanged:
                SetFocus(e.Stream == (uint)_stream.Id);
                break;
        }
    }

    private void SetFocus(bool focused)
    {
        if (focused == _focused)
        {
            return;
        }

        if (!focused)
        {
            // QEMU's MUX_OUT: finish the line the user leaves behind.
            _pending.Write(Encoding.ASCII.GetBytes(_options.NewLine));
            Flush();
            _focused = false;
            return;
        }

        _focused = true;
        if (_terminal is null)
        {
            Terminal();
        }
        else if (_held.WrittenCount == 0)
        {
            _terminal.ShowPrompt(_pending);
        }
    }

    private MonitorTerminal Terminal()
    {
        if (_terminal is null)
        {
            _terminal = new MonitorTerminal(_monitor, _options);
            _terminal.Open(_pending);
        }

        return _terminal;
    }

    /// <summary>Sends pending output, or keeps it while the mux focus is elsewhere (QEMU holds it too).</summary>
    private void Flush()
    {
        if (_pending.WrittenCount > 0)
        {
            _held.Write(_pending.WrittenSpan);
            _pending.ResetWrittenCount();
        }

        if (!_focused || _held.WrittenCount == 0)
        {
            return;
        }

        // Stopping must not skip the write: a quit typed behind a command sets it (on the main thread,
        // as the machine ends) while the command's answer is still here, and the shutdown drains only
        // what reached the ring. Only the wait for room is given up once stopping.
        ReadOnlySpan<byte> data = _held.WrittenSpan;
        while (!data.IsEmpty)
        {
            int n = _stream.Output.TryWrite(data);
            data = data[n..];
            if (n == 0)
            {
                if (_stopping)
                {
                    break;
                }

                // A short wait with no cancel descriptor: the wake-up is for events, which can wait for room.
                _stream.Output.WaitForSpace(SpaceWaitMs);
            }
        }

        _held.ResetWrittenCount();
    }
}
