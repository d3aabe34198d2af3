using System.Runtime.InteropServices;
using Emulator.Posix;

namespace Emulator.Chardev;

/// <summary>
/// Puts a terminal in <see cref="StdioTerminalMode.Raw"/> and guarantees the saved mode comes back:
/// on dispose, on SIGTERM/SIGINT/SIGHUP/SIGQUIT (restored in the handler, before the runtime's
/// default action ends the process; the signal is not cancelled), at process exit, and on an
/// unhandled exception (which ends the process without raising ProcessExit). SIGCONT re-applies
/// raw mode after a suspend, as QEMU does. Restoring happens at most once, and every change of mode
/// happens under one lock that rechecks "restored", so a signal that arrives while the guard is
/// being set up can never leave raw mode on.
/// </summary>
internal sealed class TerminalModeGuard : IDisposable
{
    private readonly SafeFd _terminal;
    private readonly TerminalAttributes _saved;
    private readonly TerminalAttributes _raw;
    private readonly List<PosixSignalRegistration> _signals = [];
    private readonly EventHandler _onProcessExit;
    private readonly UnhandledExceptionEventHandler _onUnhandledException;
    private readonly Lock _modeLock = new();
    private bool _restored;

    private TerminalModeGuard(SafeFd terminal, TerminalAttributes saved, TerminalAttributes raw)
    {
        _terminal = terminal;
        _saved = saved;
        _raw = raw;
        _onProcessExit = (_, _) => Restore();
        _onUnhandledException = (_, _) => Restore();
    }

    /// <summary>Saves the mode of <paramref name="terminal"/> (which must outlive the guard) and makes it raw.</summary>
    public static TerminalModeGuard Enter(SafeFd terminal, bool allowSignals)
    {
        TerminalAttributes saved = Terminal.GetAttributes(terminal);
        TerminalModeGuard guard = new(terminal, saved, StdioTerminalMode.Raw(saved, allowSignals));
        try
        {
            // Every way out is hooked before raw mode goes on; a signal in between finds nothing
            // to undo and makes ApplyRaw a no-op.
            foreach (PosixSignal signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGHUP, PosixSignal.SIGQUIT })
            {
                guard._signals.Add(PosixSignalRegistration.Create(signal, _ => guard.Restore()));
            }

            if (!OperatingSystem.IsWindows())
            {
                guard._signals.Add(PosixSignalRegistration.Create(PosixSignal.SIGCONT, _ => guard.Reapply()));
            }

            AppDomain.CurrentDomain.ProcessExit += guard._onProcessExit;
            AppDomain.CurrentDomain.UnhandledException += guard._onUnhandledException;
            guard.ApplyRaw();
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
        lock (_modeLock)
        {
            if (_restored)
            {
                return;
            }

            _restored = true;
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
    }

    public void Dispose()
    {
        Restore();
        AppDomain.CurrentDomain.ProcessExit -= _onProcessExit;
        AppDomain.CurrentDomain.UnhandledException -= _onUnhandledException;
        foreach (PosixSignalRegistration registration in _signals)
        {
            registration.Dispose();
        }
    }

    /// <summary>Switches to raw mode unless the saved mode was already put back; failures propagate.</summary>
    private void ApplyRaw()
    {
        lock (_modeLock)
        {
            if (!_restored)
            {
                Terminal.SetAttributes(_terminal, _raw);
            }
        }
    }

    private void Reapply()
    {
        try
        {
            ApplyRaw();
        }
        catch (PosixException)
        {
            // Terminal gone while we were stopped: nothing to re-apply.
        }
        catch (ObjectDisposedException)
        {
            // Its owner closed the descriptor meanwhile.
        }
    }
}
