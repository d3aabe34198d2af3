using System.Runtime.InteropServices;

namespace Emulator.Vmm;

/// <summary>
/// Runs a stop action however the emulator ends short of SIGKILL: normal exit (ProcessExit),
/// an unhandled exception, SIGTERM, SIGINT, SIGHUP. The signal handlers leave the signal's
/// default action in place, so the emulator still terminates after its servers are stopped.
/// SIGKILL needs no hook: the servers' parent-death signal covers it.
/// </summary>
internal sealed class TerminationHooks : IDisposable
{
    private readonly Action _stop;
    private readonly PosixSignalRegistration[] _signals;

    public TerminationHooks(Action stop)
    {
        _stop = stop;
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
        AppDomain.CurrentDomain.UnhandledException += OnUnhandledException;
        _signals =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal),
            PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal),
            PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnSignal),
        ];
    }

    public void Dispose()
    {
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        AppDomain.CurrentDomain.UnhandledException -= OnUnhandledException;
        foreach (PosixSignalRegistration signal in _signals)
        {
            signal.Dispose();
        }
    }

    private void OnProcessExit(object? sender, EventArgs e) => _stop();

    private void OnUnhandledException(object? sender, UnhandledExceptionEventArgs e) => _stop();

    private void OnSignal(PosixSignalContext context) => _stop();
}
