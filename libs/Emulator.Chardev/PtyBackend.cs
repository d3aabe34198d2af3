using Emulator.Posix;

namespace Emulator.Chardev;

/// <summary>
/// <c>pty</c>: a new pseudo-terminal whose slave path is announced as QEMU does ("char device
/// redirected to /dev/pts/N (label ID)"). Connected while someone holds the slave open; while
/// nobody does, the master reports hang-up, output is dropped and the slave is re-checked every
/// <see cref="PollIntervalMs"/> and whenever output comes (QEMU polls once per second).
/// </summary>
public sealed class PtyBackend : ChardevBackend
{
    public const int PollIntervalMs = 250;

    private readonly Action<string> _report;
    private PseudoTerminal? _pty;

    public PtyBackend(string id, Action<string> report)
        : base(id)
    {
        _report = report;
    }

    /// <summary>The slave device (e.g. /dev/pts/3); null before <see cref="ChardevBackend.Start"/>.</summary>
    public string? SlavePath => _pty?.SlavePath;

    private SafeFd Master => _pty?.Master ?? throw new InvalidOperationException("pty backend not started");

    private protected override void StartCore()
    {
        PseudoTerminal pty = PseudoTerminal.Open();
        try
        {
            // Like QEMU's openpty + cfmakeraw + close: the slave starts raw, and with it closed the
            // master sees hang-up until a user opens it.
            using (SafeFd slave = pty.OpenSlave())
            {
                Terminal.SetAttributes(slave, Terminal.MakeRaw(Terminal.GetAttributes(slave)));
            }

            Fd.SetNonBlocking(pty.Master, true);
        }
        catch
        {
            pty.Dispose();
            throw;
        }

        _pty = pty;
        _report($"char device redirected to {pty.SlavePath} (label {Id})");
    }

    private protected override int ReadCore(Span<byte> buffer)
    {
        while (true)
        {
            if (!IsConnected && !CheckPeer())
            {
                if (!Stopping.Sleep(PollIntervalMs))
                {
                    return 0;
                }

                continue;
            }

            int revents = Stopping.Wait(Master, PollEvents.In, -1);
            if (revents < 0)
            {
                return 0;
            }

            if ((revents & PollEvents.In) != 0)
            {
                try
                {
                    int n = Fd.Read(Master, buffer);
                    if (n > 0)
                    {
                        return n;
                    }
                }
                catch (PosixException e) when (e.Errno == Errno.EIO)
                {
                    // Drained what the slave wrote before its last close.
                    SetConnected(false);
                }
            }
            else if ((revents & (PollEvents.Hup | PollEvents.Err)) != 0)
            {
                SetConnected(false);
            }
        }
    }

    private protected override void WriteCore(ReadOnlySpan<byte> data)
    {
        if (!IsConnected && !CheckPeer())
        {
            return;
        }

        if (Fd.WriteAll(Master, data, Stopping.Handle, -1) == WriteAllResult.PeerGone)
        {
            SetConnected(false);
        }
    }

    private protected override void ReleaseResources() => _pty?.Dispose();

    /// <summary>QEMU's test: a master that does not report hang-up has a slave held open.</summary>
    private bool CheckPeer()
    {
        bool open = (Poller.WaitOne(Master, PollEvents.Out, 0) & PollEvents.Hup) == 0;
        SetConnected(open);
        return open;
    }
}
