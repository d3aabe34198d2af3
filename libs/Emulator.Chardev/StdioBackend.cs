using Emulator.Posix;

namespace Emulator.Chardev;

/// <summary>
/// <c>stdio</c>: our standard input and output (or two descriptors standing in for them). When input
/// is a terminal it is switched to <see cref="StdioTerminalMode.Raw"/> for the backend's lifetime and
/// restored on dispose, on termination signals and at exit (see <see cref="TerminalModeGuard"/>).
/// End of input (or a hung-up terminal) just ends input; output keeps going.
/// </summary>
public sealed class StdioBackend : ChardevBackend
{
    private readonly StdioBackendSpec _spec;
    private readonly SafeFd _input;
    private readonly SafeFd _output;
    private StandardStream? _in;
    private StandardStream? _out;
    private TerminalModeGuard? _terminal;
    private bool _inputEnded;

    /// <param name="input">Defaults to fd 0; never closed by us.</param>
    /// <param name="output">Defaults to fd 1; never closed by us.</param>
    public StdioBackend(string id, StdioBackendSpec spec, SafeFd? input = null, SafeFd? output = null)
        : base(id)
    {
        _spec = spec;
        _input = input ?? new SafeFd(0, ownsHandle: false);
        _output = output ?? new SafeFd(1, ownsHandle: false);
    }

    /// <summary>The terminal mode saved at start, or null when input is not a terminal.</summary>
    public TerminalAttributes? SavedTerminalMode => _terminal?.Saved;

    private protected override void StartCore()
    {
        _in = StandardStream.Open(_input, forWriting: false);
        _out = StandardStream.Open(_output, forWriting: true);
        if (Terminal.IsTerminal(_input))
        {
            _terminal = TerminalModeGuard.Enter(_input, _spec.Signal);
        }

        SetConnected(true);
    }

    private protected override int ReadCore(Span<byte> buffer)
    {
        SafeFd fd = _in?.Handle ?? throw new InvalidOperationException("stdio backend not started");
        while (true)
        {
            if (_inputEnded)
            {
                Stopping.Sleep(-1);
                return 0;
            }

            if (Stopping.Wait(fd, PollEvents.In, -1) < 0)
            {
                return 0;
            }

            try
            {
                int n = Fd.Read(fd, buffer);
                if (n > 0)
                {
                    return n;
                }

                _inputEnded = n == 0;
            }
            catch (PosixException e) when (e.Errno == Errno.EIO)
            {
                // The terminal hung up.
                _inputEnded = true;
            }
        }
    }

    private protected override void WriteCore(ReadOnlySpan<byte> data)
    {
        if (_out is not null)
        {
            Fd.WriteAll(_out.Handle, data, Stopping.Handle, -1);
        }
    }

    private protected override void ReleaseResources()
    {
        _terminal?.Dispose();
        _in?.Dispose();
        _out?.Dispose();
    }
}
