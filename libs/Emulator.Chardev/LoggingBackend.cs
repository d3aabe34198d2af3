using Emulator.Posix;

namespace Emulator.Chardev;

/// <summary>
/// <c>logfile=</c>: copies every byte front-ends write to a file (truncated at start unless
/// <c>logappend=on</c>), whether or not the backend could deliver it. Logging is best effort, as in
/// QEMU: a failed log write is reported once and never stops the chardev. A log that stalls (a FIFO
/// nobody drains) holds writers back like a slow peer would, but <see cref="Stop"/> interrupts the
/// wait, and <see cref="Dispose"/> waits for a log write in progress to leave before closing the file.
/// </summary>
public sealed class LoggingBackend : IChardevBackend
{
    private readonly IChardevBackend _inner;
    private readonly string _path;
    private readonly bool _append;
    private readonly Action<string> _report;
    private readonly StopEvent _stopping = new();
    private readonly object _gate = new();
    private int _activeWrites;
    private bool _disposed;
    private SafeFd? _log;
    private bool _failureReported;

    public LoggingBackend(IChardevBackend inner, string path, bool append, Action<string> report)
    {
        _inner = inner;
        _path = path;
        _append = append;
        _report = report;
    }

    public event Action? Connected
    {
        add => _inner.Connected += value;
        remove => _inner.Connected -= value;
    }

    public event Action? Disconnected
    {
        add => _inner.Disconnected += value;
        remove => _inner.Disconnected -= value;
    }

    public string Id => _inner.Id;

    public bool IsConnected => _inner.IsConnected;

    /// <summary>The backend whose output is logged.</summary>
    public IChardevBackend Inner => _inner;

    public void Start()
    {
        // QEMU opens the log before the backend, so a bad log path fails the chardev.
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _log ??= ChardevFiles.OpenForOutput(_path, _append);
        }

        _inner.Start();
    }

    public int Read(Span<byte> buffer) => _inner.Read(buffer);

    public void Write(ReadOnlySpan<byte> data)
    {
        if (!data.IsEmpty && EnterWrite() is SafeFd log)
        {
            try
            {
                WriteLog(log, data);
            }
            finally
            {
                ExitWrite();
            }
        }

        _inner.Write(data);
    }

    public void Stop()
    {
        _stopping.Set();
        _inner.Stop();
    }

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
            while (_activeWrites > 0)
            {
                Monitor.Wait(_gate);
            }
        }

        _inner.Dispose();
        _log?.Dispose();
        _stopping.Dispose();
    }

    private void WriteLog(SafeFd log, ReadOnlySpan<byte> data)
    {
        string? failure;
        try
        {
            failure = Fd.WriteAll(log, data, _stopping.Handle, -1) == WriteAllResult.PeerGone ? "its reader went away" : null;
        }
        catch (PosixException e)
        {
            failure = e.Message;
        }

        if (failure is not null && !_failureReported)
        {
            _failureReported = true;
            _report($"chardev '{Id}': writing log file '{_path}' failed: {failure}");
        }
    }

    /// <summary>The log to write to, counted as in use until <see cref="ExitWrite"/>; null once stopped or without a log.</summary>
    private SafeFd? EnterWrite()
    {
        lock (_gate)
        {
            if (_disposed || _log is null || _stopping.IsSet)
            {
                return null;
            }

            _activeWrites++;
            return _log;
        }
    }

    private void ExitWrite()
    {
        lock (_gate)
        {
            if (--_activeWrites == 0)
            {
                Monitor.PulseAll(_gate);
            }
        }
    }
}
