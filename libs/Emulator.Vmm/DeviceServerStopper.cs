using System.Diagnostics;
using Emulator.Posix;

namespace Emulator.Vmm;

/// <summary>
/// Puts device servers down: SIGTERM to all at once, one shared grace period, SIGKILL for the
/// stubborn, then their sockets are shut down. Never throws for a server it cannot signal (e.g.
/// EPERM after its pid was reused): that is logged and the others are still stopped.
/// </summary>
internal sealed class DeviceServerStopper
{
    /// <summary>After SIGKILL a process is gone within milliseconds unless stuck in the kernel.</summary>
    private static readonly TimeSpan KillWait = TimeSpan.FromSeconds(5);

    private readonly TimeSpan _gracePeriod;
    private readonly DiagnosticLog _log;

    public DeviceServerStopper(TimeSpan gracePeriod, DiagnosticLog log)
    {
        _gracePeriod = gracePeriod;
        _log = log;
    }

    /// <summary><paramref name="expected"/> false: the server is being put down after failing on its own, and its exit is still news.</summary>
    public void Stop(IReadOnlyList<DeviceConnection> connections, bool expected)
    {
        foreach (DeviceConnection connection in connections)
        {
            if (expected)
            {
                connection.MarkStopping();
            }

            if (connection.Process is Process process && connection.ProcessId is int pid && !ProcessWaits.HasExited(process))
            {
                // A tiny window remains between HasExited and kill in which the child could be
                // reaped and its pid reused; .NET gives no pidfd to close it.
                Signal(connection, pid, Signals.SIGTERM, "SIGTERM");
            }
        }

        DateTime deadline = DateTime.UtcNow + _gracePeriod;
        foreach (DeviceConnection connection in connections)
        {
            if (connection.Process is Process process && connection.ProcessId is int pid)
            {
                TimeSpan left = deadline - DateTime.UtcNow;
                if (!ProcessWaits.WaitForExit(process, left > TimeSpan.Zero ? left : TimeSpan.Zero))
                {
                    _log.Write($"{connection} did not stop after SIGTERM; sending SIGKILL");
                    if (Signal(connection, pid, Signals.SIGKILL, "SIGKILL") && !ProcessWaits.WaitForExit(process, KillWait))
                    {
                        _log.Write($"{connection} survived SIGKILL");
                    }
                }
            }

            ShutdownSocket(connection);
        }
    }

    /// <summary>False when the signal could not be sent (logged).</summary>
    private bool Signal(DeviceConnection connection, int pid, int signal, string name)
    {
        try
        {
            ProcessControl.Kill(pid, signal);
            return true;
        }
        catch (PosixException e)
        {
            _log.Write($"cannot send {name} to {connection}: {e.Message}");
            return false;
        }
    }

    private static void ShutdownSocket(DeviceConnection connection)
    {
        if (connection.Socket.IsClosed)
        {
            return;
        }

        try
        {
            UnixSocket.Shutdown(connection.Socket);
        }
        catch (PosixException e) when (e.Errno == Errno.EBADF)
        {
            // Already closed by Dispose on another thread.
        }
    }
}
