using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Emulator.Posix;

namespace Emulator.Vmm;

/// <summary>Forks one device server with its end of a new socketpair as <c>--fd N</c> and our pid as <c>--parent-pid</c>.</summary>
internal static class DeviceServerLauncher
{
    /// <summary>Runs on the <see cref="SpawnerThread"/> only (see there for why).</summary>
    public static (Process Process, SafeFd Socket) Start(string id, DeviceServerCommand command)
    {
        (SafeFd ours, SafeFd theirs) = UnixSocket.CreatePair();
        try
        {
            var info = new ProcessStartInfo(command.FileName) { UseShellExecute = false };
            foreach (string argument in command.Arguments)
            {
                info.ArgumentList.Add(argument);
            }

            info.ArgumentList.Add("--fd");
            info.ArgumentList.Add(Invariant(theirs.Number));
            info.ArgumentList.Add("--parent-pid");
            info.ArgumentList.Add(Invariant(ProcessControl.CurrentId));

            // The child's end becomes inheritable only for the instant of this fork. Spawns are
            // serialized on the spawner thread, so no other spawn can pick it up; a Process.Start on
            // some other thread of the emulator during this window could still leak it into an
            // unrelated child, so every process start in the emulator must go through there.
            Fd.SetCloseOnExec(theirs, false);
            Process process = Process.Start(info)
                ?? throw new DeviceManagerException($"cannot start device server '{id}' ({command.FileName})");
            return (process, ours);
        }
        catch (Win32Exception e)
        {
            ours.Dispose();
            throw new DeviceManagerException($"cannot start device server '{id}' ({command.FileName}): {e.Message}", e);
        }
        catch
        {
            ours.Dispose();
            throw;
        }
        finally
        {
            theirs.Dispose();
        }
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
