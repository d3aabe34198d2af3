using Emulator.Posix;

namespace Emulator.Chardev;

/// <summary>
/// A thread that moves bytes from one ring to another, never dropping and never blocking the
/// writer of the source: it reads only as much as the destination can take, then waits (briefly
/// spinning, then in poll) for data on the source or room in the destination. So back-pressure
/// passes through: a full destination leaves the source full, and its producer sees TryWrite
/// come back short. A corrupt shared ring stops the relay (logged), never the process.
/// </summary>
internal sealed class RingRelay : IDisposable
{
    private const int ChunkSize = 16384;
    private const int DrainMs = 200;

    private readonly ByteRingConsumer _source;
    private readonly ByteRingProducer _destination;
    private readonly string _name;
    private readonly Action<string> _log;
    private readonly EventFd _stop = new();
    private readonly Thread _thread;
    private volatile bool _stopping;
    private bool _started;
    private bool _disposed;

    public RingRelay(ByteRingConsumer source, ByteRingProducer destination, string name, Action<string> log)
    {
        _source = source;
        _destination = destination;
        _name = name;
        _log = log;
        _thread = new Thread(Loop) { IsBackground = true, Name = name };
    }

    public void Start()
    {
        _started = true;
        _thread.Start();
    }

    /// <summary>Stops the thread and waits for it; the rings may be disposed afterwards.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;

        // Bytes already in the source were written before the stream ended (the monitor's last
        // answer before quit): let the thread pass them on while the destination takes them.
        long deadline = Environment.TickCount64 + DrainMs;
        while (_started && _source.Available > 0 && _destination.FreeSpace > 0 && Environment.TickCount64 < deadline)
        {
            Thread.Sleep(1);
        }

        _stopping = true;
        _stop.Signal();
        if (_started)
        {
            _thread.Join();
        }

        _stop.Dispose();
    }

    private void Loop()
    {
        ProcessControl.SetThreadName(_name);
        byte[] buffer = new byte[ChunkSize];
        try
        {
            while (!_stopping)
            {
                int room = _destination.FreeSpace;
                if (room == 0)
                {
                    _destination.WaitForSpace(-1, _stop.Handle);
                    continue;
                }

                int n = _source.Read(buffer.AsSpan(0, Math.Min(room, buffer.Length)));
                if (n == 0)
                {
                    _source.WaitForData(-1, _stop.Handle);
                    continue;
                }

                // Only this thread produces into the destination, so the room seen above is still there.
                _destination.TryWrite(buffer.AsSpan(0, n));
            }
        }
        catch (IOException e)
        {
            _log($"{_name}: {e.Message}; the stream is stopped");
        }
    }
}
