using System.Runtime.InteropServices;

namespace Emulator.Vmm.Machine;

/// <summary>
/// SIGTERM, SIGINT and SIGHUP end the emulator the orderly way, as in QEMU ("terminating on
/// signal N", exit status 0): the default action is cancelled and an exit is requested, so the
/// device servers are stopped and the terminal is restored before the process ends.
/// </summary>
internal sealed class QuitSignals : IDisposable
{
    private readonly PosixSignalRegistration[] _registrations;

    public QuitSignals(MachineControl control, Action<string> log)
    {
        _registrations =
        [
            Register(PosixSignal.SIGTERM, 15, control, log),
            Register(PosixSignal.SIGINT, 2, control, log),
            Register(PosixSignal.SIGHUP, 1, control, log),
        ];
    }

    public void Dispose()
    {
        foreach (PosixSignalRegistration registration in _registrations)
        {
            registration.Dispose();
        }
    }

    private static PosixSignalRegistration Register(PosixSignal signal, int number, MachineControl control, Action<string> log) =>
        PosixSignalRegistration.Create(signal, context =>
        {
            context.Cancel = true;
            if (!control.ExitRequested)
            {
                log($"terminating on signal {number}");
            }

            control.RequestExit(0);
        });
}
