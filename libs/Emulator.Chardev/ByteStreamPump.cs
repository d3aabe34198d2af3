using System.Buffers;
using Emulator.Posix;

namespace Emulator.Chardev;

/// <summary>
/// Moves bytes between a backend and its front-ends' rings on two threads of its own, never dropping
/// and honouring back-pressure both ways: the output thread stops draining the rings while the
/// backend blocks (so a front-end sees a full ring), the input thread stops reading the backend
/// while the ring toward the front-end is full. With a <see cref="ChardevMux"/> several front-ends
/// share the backend (input to the focused one, C-a commands, output from all, optional stamps);
/// without one there is exactly one front-end and bytes pass untouched.
/// Events are raised on the pump's threads, and so are the backend's Connected/Disconnected. A
/// handler must not throw: if one does, the pump stops as for any other failure (see
/// <see cref="Faulted"/>) and the process goes on.
/// </summary>
public sealed class ByteStreamPump : IDisposable
{
    private const int OutputChunk = 16384;
    private const int InputChunk = 4096;

    private readonly IChardevBackend _backend;
    private readonly IReadOnlyList<FrontEndChannel> _frontEnds;
    private readonly ChardevMux? _mux;
    private readonly PumpMuxSink _sink;
    private readonly Lock _muxLock = new();
    private readonly Lock _writeLock = new();
    private readonly StopEvent _stop = new();
    private readonly Thread _output;
    private readonly Thread _input;
    private int _started;
    private Exception? _fault;

    public ByteStreamPump(IChardevBackend backend, IReadOnlyList<FrontEndChannel> frontEnds, ChardevMux? mux = null)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(frontEnds);
        int expected = mux?.FrontEndCount ?? 1;
        if (frontEnds.Count != expected)
        {
            throw new ArgumentException($"expected {expected} front-end channel(s), got {frontEnds.Count}", nameof(frontEnds));
        }

        _backend = backend;
        _frontEnds = frontEnds;
        _mux = mux;
        _sink = new PumpMuxSink(frontEnds);
        _output = new Thread(() => Run(OutputLoop)) { IsBackground = true, Name = $"chardev-out-{backend.Id}" };
        _input = new Thread(() => Run(InputLoop)) { IsBackground = true, Name = $"chardev-in-{backend.Id}" };
    }

    /// <summary>C-a x: the mux printed "QEMU: Terminated"; the emulator should quit.</summary>
    public event Action? ExitRequested;

    /// <summary>C-a b: send a break to this front-end.</summary>
    public event Action<int>? BreakRequested;

    /// <summary>Focus moved from the first front-end to the second (QEMU's MUX_OUT / MUX_IN).</summary>
    public event Action<int, int>? FocusChanged;

    /// <summary>C-a s: commit -snapshot disks.</summary>
    public event Action? CommitRequested;

    /// <summary>
    /// A ring, the backend or an event handler failed (e.g. a corrupt ring index); the pump has
    /// stopped. Raised on the failing thread. With no handler, or when a handler throws too, the
    /// failure is written to standard error so that it is never lost.
    /// </summary>
    public event Action<Exception>? Faulted;

    /// <summary>The error that stopped the pump, if any.</summary>
    public Exception? Fault => Volatile.Read(ref _fault);

    /// <summary>Starts both threads. Start the backend first.</summary>
    public void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("pump already started");
        }

        _output.Start();
        _input.Start();
    }

    /// <summary>Moves the mux focus from outside (e.g. a monitor command), raising <see cref="FocusChanged"/>.</summary>
    public void SetFocus(int frontEnd)
    {
        ChardevMux mux = _mux ?? throw new InvalidOperationException("no mux");
        lock (_muxLock)
        {
            mux.SetFocus(frontEnd, _sink);
        }

        FlushSink();
    }

    /// <summary>
    /// Stops the backend (for good) and both threads, and waits for them. The rings and the backend stay
    /// the caller's: dispose them after the pump, never before.
    /// </summary>
    /// <summary>
    /// Waits up to <paramref name="timeoutMs"/> for the front-ends' output to reach the backend
    /// (output written just before shutdown, e.g. the monitor's answer to the command before quit).
    /// </summary>
    public void Drain(int timeoutMs)
    {
        long deadline = Environment.TickCount64 + timeoutMs;
        while (Volatile.Read(ref _started) != 0 && !_stop.IsSet && Environment.TickCount64 < deadline
            && _frontEnds.Any(f => f.Output.Available > 0))
        {
            Thread.Sleep(1);
        }
    }

    public void Dispose()
    {
        _stop.Set();
        _backend.Stop();
        if (Volatile.Read(ref _started) != 0)
        {
            _output.Join();
            _input.Join();
        }

        _stop.Dispose();
    }

    /// <summary>The entry of both threads: no exception leaves it, since one would end the process.</summary>
    private void Run(Action loop)
    {
        try
        {
            loop();
        }
        catch (Exception e)
        {
            // IOException: a ring the peer corrupted (ByteRingException) or a descriptor failure.
            // Anything else is a bug or a throwing event handler (ours, or the backend's
            // Connected/Disconnected running on this thread). Either way both threads stop and the
            // fault is kept and reported; the backend stays open until the owner disposes it.
            Interlocked.CompareExchange(ref _fault, e, null);
            _stop.Set();
            ReportFault(e);
        }
    }

    private void ReportFault(Exception fault)
    {
        Action<Exception>? handlers = Faulted;
        if (handlers is null)
        {
            ChardevDiagnostics.WriteToStandardError($"chardev '{_backend.Id}': stopped: {fault}");
            return;
        }

        foreach (Action<Exception> handler in handlers.GetInvocationList().Cast<Action<Exception>>())
        {
            try
            {
                handler(fault);
            }
            catch (Exception e)
            {
                ChardevDiagnostics.WriteToStandardError($"chardev '{_backend.Id}': stopped: {fault.Message}; reporting it failed: {e}");
            }
        }
    }

    private void OutputLoop()
    {
        byte[] buffer = new byte[OutputChunk];
        ArrayBufferWriter<byte> formatted = new();
        while (!_stop.IsSet)
        {
            bool moved = false;
            for (int i = 0; i < _frontEnds.Count && !_stop.IsSet; i++)
            {
                int n = _frontEnds[i].Output.Read(buffer);
                if (n == 0)
                {
                    continue;
                }

                moved = true;
                if (_mux is null)
                {
                    WriteBackend(buffer.AsSpan(0, n));
                    continue;
                }

                lock (_muxLock)
                {
                    _mux.FormatOutput(buffer.AsSpan(0, n), formatted);
                }

                WriteBackend(formatted.WrittenSpan);
                formatted.ResetWrittenCount();
            }

            if (!moved)
            {
                WaitForOutput();
            }
        }
    }

    private void WaitForOutput()
    {
        if (_frontEnds.Count == 1)
        {
            _frontEnds[0].Output.WaitForData(-1, _stop.Handle);
            return;
        }

        bool armed = true;
        int count = 0;
        for (; count < _frontEnds.Count && armed; count++)
        {
            armed = _frontEnds[count].Output.TryArmDataNotification();
        }

        if (armed)
        {
            Span<PollFd> fds = stackalloc PollFd[ChardevMux.MaxFrontEnds + 1];
            for (int i = 0; i < _frontEnds.Count; i++)
            {
                fds[i] = new PollFd(_frontEnds[i].Output.Ring.DataAvailable.Handle.Number, PollEvents.In);
            }

            fds[_frontEnds.Count] = new PollFd(_stop.Handle.Number, PollEvents.In);
            Poller.Wait(fds[..(_frontEnds.Count + 1)], -1);
            for (int i = 0; i < _frontEnds.Count; i++)
            {
                _frontEnds[i].Output.Ring.DataAvailable.TryConsume(out _);
            }
        }

        for (int i = 0; i < count; i++)
        {
            _frontEnds[i].Output.DisarmDataNotification();
        }
    }

    private void InputLoop()
    {
        byte[] buffer = new byte[InputChunk];
        while (true)
        {
            int n = _backend.Read(buffer);
            if (n == 0 || !Deliver(buffer.AsSpan(0, n)))
            {
                return;
            }
        }
    }

    /// <summary>Hands input to the front-end(s), waiting for ring space as needed. False once stopped.</summary>
    private bool Deliver(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            int consumed;
            int target;
            if (_mux is null)
            {
                consumed = _frontEnds[0].Input.TryWrite(data);
                target = 0;
            }
            else
            {
                lock (_muxLock)
                {
                    consumed = _mux.ProcessInput(data, _sink);
                    target = _mux.Focus;
                }

                FlushSink();
            }

            data = data[consumed..];
            if (!data.IsEmpty && !_frontEnds[target].Input.WaitForSpace(-1, _stop.Handle))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Carries out what the mux queued, outside the mux lock (writes may block).</summary>
    private void FlushSink()
    {
        byte[]? text = null;
        MuxEvent[] events;
        lock (_muxLock)
        {
            if (_sink.PendingOutput.WrittenCount > 0)
            {
                text = _sink.PendingOutput.WrittenSpan.ToArray();
                _sink.PendingOutput.ResetWrittenCount();
            }

            events = [.. _sink.PendingEvents];
            _sink.PendingEvents.Clear();
        }

        if (text is not null)
        {
            WriteBackend(text);
        }

        foreach (MuxEvent e in events)
        {
            switch (e.Kind)
            {
                case MuxEventKind.Exit:
                    ExitRequested?.Invoke();
                    break;
                case MuxEventKind.Break:
                    BreakRequested?.Invoke(e.First);
                    break;
                case MuxEventKind.Focus:
                    FocusChanged?.Invoke(e.First, e.Second);
                    break;
                case MuxEventKind.Commit:
                    CommitRequested?.Invoke();
                    break;
            }
        }
    }

    private void WriteBackend(ReadOnlySpan<byte> data)
    {
        lock (_writeLock)
        {
            _backend.Write(data);
        }
    }
}
