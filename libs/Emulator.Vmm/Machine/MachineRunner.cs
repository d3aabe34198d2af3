using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Emulator.GdbStub;
using Emulator.Memory;
using Emulator.Options;
using Emulator.Platform;
using Emulator.VhostUser;
using Emulator.Vmm.Block;
using Emulator.Vmm.Chardev;
using Emulator.Vmm.CommandLine;

namespace Emulator.Vmm.Machine;

/// <summary>
/// Runs a configured machine until it is asked to quit: the boot images (checked first), guest RAM,
/// the port devices (debugcon, isa-debug-exit), the disks (one emu-block per drive), the chardev servers and their monitors, then the
/// vCPU thread, until <c>quit</c>, C-a x, SIGTERM/SIGINT/SIGHUP or a guest exit (isa-debug-exit). A device server that dies
/// is logged (by the <see cref="DeviceManager"/>) and the machine keeps running; if it held the
/// terminal, the terminal mode saved at start is put back at once. However the run ends, every
/// server is stopped and the terminal restored before this returns.
/// </summary>
public static class MachineRunner
{
    /// <summary>Returns the process exit status.</summary>
    /// <param name="openStandardOutput">A write(2) stream on fd 1, for <c>-debugcon stdio</c>.</param>
    /// <param name="blocks">The disks to create (<see cref="BlockPlanner"/>); null for none.</param>
    public static int Run(VmConfiguration config, ChardevPlan plan, TextWriter stderr, Func<Stream>? openStandardOutput = null, BlockPlan? blocks = null)
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

        MachineBoot boot;
        Stream? debugcon;
        TextWriter? logFile;
        try
        {
            boot = MachineBoot.Prepare(config);
            debugcon = config.Debugcon is { } spec ? DebugconOutput.Open(spec, openStandardOutput) : null;
            logFile = config.LogFile is { } path ? TextWriter.Synchronized(new StreamWriter(path, append: false)) : null;
        }
        catch (Exception e) when (e is BootImageException or OptionsException or IOException or UnauthorizedAccessException)
        {
            Log(e.Message);
            return 1;
        }

        using Stream? debugconOutput = debugcon;
        using TextWriter? logFileWriter = logFile;
        ExecutionLog? executionLog = config.LogItems.Count > 0 ? new ExecutionLog(config.LogItems, logFileWriter ?? writer) : null;
        TerminalSnapshot? terminal = TerminalSnapshot.CaptureStandardInput();
        using var control = new MachineControl(config.StartPaused);
        using var signals = new QuitSignals(control, Log);
        using GuestMemory memory = GuestMemory.Create(boot.MemoryRegions);
        if (executionLog is { LogsResets: true })
        {
            control.SetBeforeResetAction(executionLog.CpuReset);
        }

        if (config.DebugExitDevices.Count > 1)
        {
            Log("only one isa-debug-exit device is supported");
            return 1;
        }

        using var serialPorts = new SerialPortBridges(config.Serials, Log);
        PcPlatform platform;
        try
        {
            PortRange? debugExit = config.DebugExitDevices.Count > 0 ? config.DebugExitDevices[0] : null;
            platform = new PcPlatform(new PcPlatformOptions
            {
                Memory = memory,
                Layout = boot.Layout,
                SerialPorts = serialPorts.Transmitters,
                DebugConsole = debugconOutput,
                IsaDebugExit = debugExit is not null,
                IsaDebugExitBase = debugExit?.First ?? IsaDebugExit.DefaultBase,
                IsaDebugExitSize = debugExit?.Count ?? IsaDebugExit.DefaultSize,
                FirmwareTablesInRam = boot.Firmware is null,
            });
            boot.Firmware?.Register(platform.Mmio, executionLog is { LogsGuestErrors: true } ? executionLog.RomWrite : null);
        }
        catch (BusConflictException e)
        {
            Log(e.Message);
            return 1;
        }

        control.SetRunningObserver(running =>
        {
            if (running)
            {
                platform.Resume();
            }
            else
            {
                platform.Pause();
            }
        });

        // Without firmware or a kernel there is nothing to execute (QEMU would run its SeaBIOS): the
        // vCPU stays in its RESET state at the reset vector, as if stopped there, and the machine
        // otherwise works (monitor, chardevs, info registers).
        using VcpuThread? vcpuThread = boot.HasCode
            ? new VcpuThread(control, memory, platform, new VcpuThreadOptions { Log = Log, NoReboot = config.NoReboot, NoShutdown = config.NoShutdown, ExecutionLog = executionLog, Debugger = config.Gdb is not null })
            : null;
        GdbServer? gdb;
        try
        {
            gdb = StartGdb(config.Gdb, vcpuThread?.DebugTarget);
        }
        catch (SocketException e)
        {
            Log($"-gdb {config.Gdb}: could not listen: {e.Message}");
            return 1;
        }

        using GdbServer? gdbServer = gdb;
        if (config.Gdb is not null && gdb is null)
        {
            Log("-gdb: no -bios or -kernel, so no vCPU runs and the gdb stub is not started");
        }

        // Disks exist once the servers run (below); a reset before that has none to reset.
        var disks = new StrongBox<BlockDevices?>();

        if (vcpuThread is not null)
        {
            try
            {
                control.SetBootAction(vcpu =>
                {
                    platform.Reset();
                    Volatile.Read(ref disks.Value)?.Reset();
                    boot.Apply(memory, vcpu, platform.FirmwareTables.RsdpAddress);
                    vcpuThread.Invalidate();
                });
            }
            catch (BootImageException e)
            {
                Log(e.Message);
                return 1;
            }
        }

        using var manager = new DeviceManager(new DeviceManagerOptions { HandleTerminationSignals = false, Log = Log });
        var running = new StrongBox<ChardevFrontEnds?>();
        manager.ServerExited += (_, e) =>
        {
            if (!e.Expected)
            {
                Volatile.Read(ref disks.Value)?.OnServerExited(e.Id);
            }

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
            // Every PCI function is attached before the resources are assigned, as firmware would find them.
            try
            {
                Volatile.Write(ref disks.Value, BlockDevices.Start(blocks ?? BlockPlan.Empty, new BlockDevicesContext
                {
                    Manager = manager,
                    Locator = DeviceServerLocator.FromEnvironment(),
                    Memory = memory,
                    Platform = platform,
                    InvalidateCode = vcpuThread is null ? null : vcpuThread.InvalidatePhysical,
                    Log = Log,
                    Stopping = () => control.ExitRequested,
                }));
                platform.AssignPciResources();
                disks.Value?.MapBars();
            }
            catch (Exception e) when (e is BlockDeviceException or BusConflictException)
            {
                Log(e.Message);
                return 1;
            }

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
            serialPorts.Attach(frontEnds, platform);
            control.SetResetAction(frontEnds.ResetDevices);
            vcpuThread?.Start();
            int status = control.WaitForExit();
            vcpuThread?.Dispose();
            return status;
        }
        finally
        {
            // The vCPU and the bridges' reader threads use the streams: stop them before the rings go.
            vcpuThread?.Dispose();
            serialPorts.Dispose();
            Volatile.Read(ref running.Value)?.Dispose();
            Volatile.Read(ref disks.Value)?.Dispose();
            manager.StopAll();
            terminal?.Restore();
        }
    }

    /// <summary>
    /// The gdb stub, listening before the guest runs (so with <c>-S</c> a debugger can attach first).
    /// Without code to run there is no vCPU thread; the stub then is not started (nothing to debug).
    /// </summary>
    private static GdbServer? StartGdb(GdbEndpoint? endpoint, IGdbTarget? target)
    {
        if (endpoint is null || target is null)
        {
            return null;
        }

        var server = new GdbServer(target, endpoint);
        server.Start();
        return server;
    }
}
