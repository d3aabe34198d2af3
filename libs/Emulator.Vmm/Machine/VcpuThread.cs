using Emulator.Cpu;
using Emulator.GdbStub;
using Emulator.Memory;
using Emulator.Platform;

namespace Emulator.Vmm.Machine;

/// <summary>
/// The thread that runs the vCPU on the <c>pc</c> platform: <see cref="PcVcpuLoop"/> slices (timers
/// and posted device work between them) over <see cref="PagedMemory"/> on guest RAM and the platform's
/// buses, with exceptions delivered through the guest's IDT. Between slices the
/// <see cref="MachineControl"/> may pause it, look at it or reset it; a halted vCPU sleeps until the
/// next timer deadline, an interrupt or a state change. What the guest asks for ends the run as QEMU
/// does: S5 power-off exits 0 (or stops, with <c>-no-shutdown</c>), isa-debug-exit exits with its code,
/// a reset request or a triple fault (the register dump logged first) resets the machine, or with
/// <c>-no-reboot</c> exits 0. With a gdb stub (<see cref="VcpuThreadOptions.Debugger"/>) slices run
/// under <see cref="VcpuGdbTarget.RunSlice"/>, shorter, and idle waits poll for the debugger.
/// </summary>
public sealed class VcpuThread : IDisposable
{
    /// <summary>With a debugger stub the slices are short, so a Ctrl-C or a breakpoint in another slice is seen promptly.</summary>
    public const long DebugSliceInstructions = 10_000;

    /// <summary>How often an idle (paused, halted) vCPU looks whether the debugger wants it stopped.</summary>
    private static readonly TimeSpan DebugIdlePoll = TimeSpan.FromMilliseconds(5);

    private readonly MachineControl _control;
    private readonly PcPlatform _platform;
    private readonly Interpreter _interpreter;
    private readonly PagedMemory _memory;
    private readonly PcVcpuLoop _loop;
    private readonly VcpuThreadOptions _options;
    private readonly Thread _thread;
    private readonly VcpuGdbTarget? _debug;

    public VcpuThread(MachineControl control, GuestMemory memory, PcPlatform platform, VcpuThreadOptions options)
    {
        ArgumentNullException.ThrowIfNull(control);
        ArgumentNullException.ThrowIfNull(memory);
        ArgumentNullException.ThrowIfNull(platform);
        ArgumentNullException.ThrowIfNull(options);
        _control = control;
        _platform = platform;
        _options = options;
        Vcpu vcpu = control.Vcpu;
        _memory = new PagedMemory(memory, vcpu, mmio: platform.Mmio);
        _interpreter = new Interpreter(vcpu, _memory, platform.CreateSystemServices(vcpu));
        platform.ConfigureVcpu(_interpreter);
        if (options.ExecutionLog is { TracesExecution: true } log)
        {
            _interpreter.Tracer = log;
        }

        if (options.Debugger)
        {
            VcpuGdbTarget debug = new(vcpu, _interpreter, new PagedDebugMemory(memory, _memory), startStopped: false, onKill: () => control.RequestExit(0));
            _debug = debug;
            DebugTarget = new MachineGdbTarget(debug, control);
            _loop = new PcVcpuLoop(
                platform,
                _interpreter,
                idle: timeout => platform.Wakeup.Wait(timeout is { } t && t < DebugIdlePoll ? t : DebugIdlePoll),
                run: _ => debug.RunSlice(DebugSliceInstructions, parkIfStopped: false));
        }
        else
        {
            _loop = new PcVcpuLoop(platform, _interpreter);
        }

        control.SetWakeAction(platform.Wakeup.Signal);
        _thread = new Thread(Loop) { IsBackground = true, Name = "vcpu0" };
    }

    /// <summary>What the gdb stub serves, when <see cref="VcpuThreadOptions.Debugger"/> asked for one.</summary>
    public IGdbTarget? DebugTarget { get; }

    /// <summary>Thread-safe: guest RAM in this range was written by something other than the vCPU (decoded code there is dropped).</summary>
    public void InvalidatePhysical(ulong address, ulong length) => _interpreter.InvalidatePhysical(address, length);

    /// <summary>Forget decoded code and translations: after images are (re)loaded or the vCPU reset.</summary>
    public void Invalidate()
    {
        _interpreter.Blocks.InvalidateAll();
        _memory.Tlb.FlushAll();
    }

    public void Start() => _thread.Start();

    /// <summary>Waits for the thread; the control must be exiting (its slices end then).</summary>
    public void Dispose()
    {
        if (_thread.IsAlive)
        {
            _control.RequestExit(0);

            // A vCPU the debugger holds must be let go to see the exit.
            _debug?.ReportStop(new GdbStop(GdbStopReason.Exited));
            _debug?.Detach();
            _thread.Join();
        }
    }

    private void Loop()
    {
        while (true)
        {
            _debug?.WaitWhileStopped();
            SliceStart start = _debug is null
                ? (_control.TryBeginSlice() ? SliceStart.Run : SliceStart.Exit)
                : _control.TryBeginSlice(DebugIdlePoll);
            if (start is SliceStart.Exit)
            {
                return;
            }

            if (start is SliceStart.Idle)
            {
                continue;
            }

            PcStopReason stop;
            string? dump = null;
            try
            {
                stop = _loop.RunSlice();
                if (stop is PcStopReason.TripleFault)
                {
                    dump = RegisterDump.Format(_control.Vcpu.State);
                }
            }
            finally
            {
                _control.EndSlice();
            }

            if (!Handle(stop, dump))
            {
                return;
            }

            if (_loop.WantsIdle)
            {
                _loop.Idle();
            }
        }
    }

    /// <summary>Acts on why the slice ended; false when the thread is done (the emulator exits).</summary>
    private bool Handle(PcStopReason stop, string? dump)
    {
        switch (stop)
        {
            case PcStopReason.PowerOff:
                return Shutdown();
            case PcStopReason.DebugExit:
                _control.RequestExit(_platform.ExitCode);
                return false;
            case PcStopReason.Reset:
                return Reboot();
            case PcStopReason.TripleFault:
                _options.ExecutionLog?.TripleFault();
                _options.Log($"triple fault (last fault: vector {_interpreter.LastFault.Vector}, error code 0x{_interpreter.LastFault.ErrorCode:x}); CPU state:\n{dump?.TrimEnd('\n')}");

                // An attached debugger sees the faulting state before the reset or exit.
                if (_debug is not null)
                {
                    _debug.ReportStop(new GdbStop(GdbStopReason.Faulted));
                    _debug.WaitWhileStopped();
                }

                return Reboot();
            default:
                return true;
        }
    }

    /// <summary>The guest asked for a reset (or the processor shut down): QEMU's <c>-no-reboot</c> makes it a shutdown.</summary>
    private bool Reboot()
    {
        if (_options.NoReboot)
        {
            return Shutdown();
        }

        _control.Reset(keepRunState: true);
        return true;
    }

    /// <summary>A guest shutdown ends the emulator with status 0; <c>-no-shutdown</c> keeps the VM, stopped, for the monitor.</summary>
    private bool Shutdown()
    {
        if (_options.NoShutdown)
        {
            _control.SetState(RunState.Shutdown);
            return true;
        }

        _control.RequestExit(0);
        return false;
    }
}
