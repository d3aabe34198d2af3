using Emulator.Posix;

namespace Emulator.Chardev;

/// <summary><c>file</c>: output to a file (truncated unless append=on); no input.</summary>
public sealed class FileBackend : ChardevBackend
{
    private readonly FileBackendSpec _spec;
    private SafeFd? _file;

    public FileBackend(string id, FileBackendSpec spec)
        : base(id)
    {
        _spec = spec;
    }

    private protected override void StartCore()
    {
        _file = ChardevFiles.OpenForOutput(_spec.Path, _spec.Append);
        SetConnected(true);
    }

    private protected override int ReadCore(Span<byte> buffer)
    {
        Stopping.Sleep(-1);
        return 0;
    }

    private protected override void WriteCore(ReadOnlySpan<byte> data)
    {
        if (_file is not null)
        {
            Fd.WriteAll(_file, data, Stopping.Handle, -1);
        }
    }

    private protected override void ReleaseResources() => _file?.Dispose();
}
