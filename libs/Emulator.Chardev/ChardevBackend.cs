using Emulator.Posix;

namespace Emulator.Chardev;

/// <summary>
/// What every backend shares: the stop signal, connection state and events, and the bookkeeping
/// that lets <see cref="Dispose"/> wait for blocked Read/Write calls to leave before descriptors
/// are closed (so a number is never reused under a thread still polling it).
/// </summary>
public abstract class ChardevBackend : IChardevBackend
{
    private readonly object _gate = new();
    private int _activeCalls;
    private bool _disposed;
    private int _connected;

    private protected ChardevBackend(string id)
    {
        Id = id;
    }

    public event Action? Connected;

    public event Action? Disconnected;

    public string Id { get; }

    public bool IsConnected => Volatile.Read(ref _connected) != 0;

    private protected StopEvent Stopping { get; } = new();

    public void Start()
    {
        ObjectDisposedException.ThrowIf(!Enter(), this);
        try
        {
            StartCore();
        }
        finally
        {
            Exit();
        }
    }

    public int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty || !Enter())
        {
            return 0;
        }

        try
        {
            return Stopping.IsSet ? 0 : ReadCore(buffer);
        }
        finally
        {
            Exit();
        }
    }

    public void Write(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty || !Enter())
        {
            return;
        }

        try
        {
            if (!Stopping.IsSet)
            {
                WriteCore(data);
            }
        }
        finally
        {
            Exit();
        }
    }

    public void Stop() => Stopping.Set();

    public void Dispose()
    {
        Stop();
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            while (_activeCalls > 0)
            {
                Monitor.Wait(_gate);
            }
        }

        ReleaseResources();
        Stopping.Dispose();
    }

    private protected abstract void StartCore();

    /// <summary>Blocks for input; returns 0 only when <see cref="Stopping"/> is set.</summary>
    private protected abstract int ReadCore(Span<byte> buffer);

    private protected abstract void WriteCore(ReadOnlySpan<byte> data);

    /// <summary>Closes descriptors; called once, after every Read/Write/Start has returned.</summary>
    private protected abstract void ReleaseResources();

    /// <summary>Records the connection state and raises the matching event on a change.</summary>
    private protected void SetConnected(bool connected)
    {
        int value = connected ? 1 : 0;
        if (Interlocked.Exchange(ref _connected, value) != value)
        {
            (connected ? Connected : Disconnected)?.Invoke();
        }
    }

    private bool Enter()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return false;
            }

            _activeCalls++;
            return true;
        }
    }

    private void Exit()
    {
        lock (_gate)
        {
            if (--_activeCalls == 0)
            {
                Monitor.PulseAll(_gate);
            }
        }
    }
}
