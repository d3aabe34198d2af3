using System.Runtime.CompilerServices;
using Emulator.Memory;
using Emulator.VhostUser;
using Emulator.Vmm.Chardev;
using Emulator.Vmm.CommandLine;

namespace Emulator.Vmm.Machine;

/// <summary>
/// Runs a configured machine until it is asked to quit: guest RAM, the chardev servers and their
/// monitors, then wait for <c>quit</c>, C-a x, or SIGTERM/SIGINT/SIGHUP. A device server that dies
/// is logged (by the <see cref="DeviceManager"/>) and the machine keeps running; if it held the
/// terminal, the terminal mode saved at start is put back at once. However the run ends, every
/// server is stopped and the terminal restored before this returns.
/// </summary>
public static class MachineRunner
{
    /// <summary>Returns the process exit status.</summary>
    public static int Run(VmConfiguration config, ChardevPlan plan, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(stderr);
        var writer = TextWriter.Synchronized(stderr);
        void Log(string message)
        {
            writer.WriteLine($"emu: {message}");
            writer.Flush();
        }

        TerminalSnapshot? terminal = TerminalSnapshot.CaptureStandardInput();
        using var control = new MachineControl(config.StartPaused);
        using var signals = new QuitSignals(control, Log);
        using GuestMemory memory = GuestMemory.Create((0, config.MemorySize));
        using var manager = new DeviceManager(new DeviceManagerOptions { HandleTerminationSignals = false, Log = Log });
        var running = new StrongBox<ChardevFrontEnds?>();
        manager.ServerExited += (_, e) =>
        {
            if (e.Expected || Volatile.Read(ref running.Value) is not ChardevFrontEnds frontEnds)
            {
                return;
            }

            frontEnds.OnServerExited(e.Id);
            if (frontEnds.ServesTerminal(e.Id))
            {
                terminal?.Restore();
            }
        };

        try
        {
            ChardevFrontEnds frontEnds;
            try
            {
                frontEnds = ChardevFrontEnds.Start(plan, new ChardevFrontEndsContext
                {
                    Manager = manager,
                    Locator = DeviceServerLocator.FromEnvironment(),
                    Monitor = new HumanMonitor(control),
                    ExitRequested = () => control.RequestExit(0),
                    Memory = memory,
                    Log = Log,
                });
            }
            catch (Exception e) when (e is DeviceManagerException or VhostUserProtocolException)
            {
                Log(e.Message);
                return 1;
            }

            Volatile.Write(ref running.Value, frontEnds);
            control.SetResetAction(frontEnds.ResetDevices);
            return control.WaitForExit();
        }
        finally
        {
            Volatile.Read(ref running.Value)?.Dispose();
            manager.StopAll();
            terminal?.Restore();
        }
    }
}
