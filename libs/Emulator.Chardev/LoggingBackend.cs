using Emulator.Posix;

namespace Emulator.Chardev;

/// <summary>
/// <c>logfile=</c>: copies every byte front-ends write to a file (truncated at start unless
/// <c>logappend=on</c>), whether or not the backend could deliver it. Logging is best effort, as in
/// QEMU: a failed log write is reported once and never stops the chardev.
/// </summary>
public sealed class LoggingBackend : IChardevBackend
{
    private readonly IChardevBackend _inner;
    private readonly string _path;
    private readonly bool _append;
    private readonly Action<string> _report;
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
        _log ??= ChardevFiles.OpenForOutput(_path, _append);
        _inner.Start();
    }

    public int Read(Span<byte> buffer) => _inner.Read(buffer);

    public void Write(ReadOnlySpan<byte> data)
    {
        if (_log is not null && !data.IsEmpty)
        {
            try
            {
                Fd.WriteAll(_log, data);
            }
            catch (PosixException e)
            {
                if (!_failureReported)
                {
                    _report($"chardev '{Id}': writing log file '{_path}' failed: {e.Message}");
                    _failureReported = true;
                }
            }
        }

        _inner.Write(data);
    }

    public void Stop() => _inner.Stop();

    public void Dispose()
    {
        _inner.Dispose();
        _log?.Dispose();
    }
}
