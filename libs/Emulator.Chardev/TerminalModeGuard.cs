using System.Runtime.InteropServices;
using Emulator.Posix;

namespace Emulator.Chardev;

/// <summary>
/// Puts a terminal in <see cref="StdioTerminalMode.Raw"/> and guarantees the saved mode comes back:
/// on dispose, on SIGTERM/SIGINT/SIGHUP/SIGQUIT (restored in the handler, before the runtime's
/// default action ends the process; the signal is not cancelled), and at process exit. SIGCONT
/// re-applies raw mode after a suspend, as QEMU does. Restoring happens at most once.
/// </summary>
internal sealed class TerminalModeGuard : IDisposable
{
    private readonly SafeFd _terminal;
    private readonly TerminalAttributes _saved;
    private readonly TerminalAttributes _raw;
    private readonly List<PosixSignalRegistration> _signals = [];
    private readonly EventHandler _onProcessExit;
    private int _restored;

    private TerminalModeGuard(SafeFd terminal, TerminalAttributes saved, TerminalAttributes raw)
    {
        _terminal = terminal;
        _saved = saved;
        _raw = raw;
        _onProcessExit = (_, _) => Restore();
    }

    /// <summary>Saves the mode of <paramref name="terminal"/> (which must outlive the guard) and makes it raw.</summary>
    public static TerminalModeGuard Enter(SafeFd terminal, bool allowSignals)
    {
        TerminalAttributes saved = Terminal.GetAttributes(terminal);
        TerminalModeGuard guard = new(terminal, saved, StdioTerminalMode.Raw(saved, allowSignals));
        foreach (PosixSignal signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGHUP, PosixSignal.SIGQUIT })
        {
            guard._signals.Add(PosixSignalRegistration.Create(signal, _ => guard.Restore()));
        }

        if (!OperatingSystem.IsWindows())
        {
            guard._signals.Add(PosixSignalRegistration.Create(PosixSignal.SIGCONT, _ => guard.Reapply()));
        }

        AppDomain.CurrentDomain.ProcessExit += guard._onProcessExit;
        try
        {
            Terminal.SetAttributes(terminal, guard._raw);
        }
        catch
        {
            guard.Dispose();
            throw;
        }

        return guard;
    }

    public TerminalAttributes Saved => _saved;

    /// <summary>Puts the saved mode back (once). A terminal that is already gone is not an error.</summary>
    public void Restore()
    {
        if (Interlocked.Exchange(ref _restored, 1) != 0)
        {
            return;
        }

        try
        {
            Terminal.SetAttributes(_terminal, _saved);
        }
        catch (PosixException)
        {
            // The terminal hung up or was closed: there is no mode left to restore.
        }
        catch (ObjectDisposedException)
        {
            // Same: whoever owned the descriptor has closed it.
        }
    }

    public void Dispose()
    {
        Restore();
        AppDomain.CurrentDomain.ProcessExit -= _onProcessExit;
        foreach (PosixSignalRegistration registration in _signals)
        {
            registration.Dispose();
        }
    }

    private void Reapply()
    {
        if (Volatile.Read(ref _restored) != 0)
        {
            return;
        }

        try
        {
            Terminal.SetAttributes(_terminal, _raw);
        }
        catch (PosixException)
        {
            // Terminal gone while we were stopped: nothing to re-apply.
        }
    }
}
