using Emulator.Cpu;
using Emulator.GdbStub;
using Emulator.Memory;

namespace Emulator.Vmm.Machine;

/// <summary>
/// The thread that runs the vCPU: <see cref="Interpreter.Run"/> in slices of
/// <see cref="SliceInstructions"/> over <see cref="PagedMemory"/> on guest RAM, with exceptions
/// delivered through the guest's IDT and IN/OUT on the machine's port bus. Between slices the
/// <see cref="MachineControl"/> may pause it, look at it or reset it; HLT parks it. A triple fault
/// prints the register dump to the log, then resets the machine (or, with <c>-no-reboot</c>, ends
/// the emulator with status 0, as QEMU's shutdown does; with <c>-no-shutdown</c> too, the machine
/// stays in <c>paused (shutdown)</c> until a <c>system_reset</c>). With a gdb stub
/// (<see cref="VcpuThreadOptions.Debugger"/>) it runs <see cref="VcpuGdbTarget.RunSlice"/> in shorter
/// slices, parks outside slices while the debugger holds the guest, and polls while idle.
/// </summary>
public sealed class VcpuThread : IDisposable
{
    /// <summary>Long enough to amortise the hand-over, short enough that stop and info registers answer at once.</summary>
    public const long SliceInstructions = 50_000;

    /// <summary>With a debugger stub the slices are short, so a Ctrl-C or a breakpoint in another slice is seen promptly.</summary>
    public const long DebugSliceInstructions = 10_000;

    /// <summary>How often an idle (paused, halted) vCPU looks whether the debugger wants it stopped.</summary>
    private static readonly TimeSpan DebugIdlePoll = TimeSpan.FromMilliseconds(5);

    private readonly MachineControl _control;
    private readonly Interpreter _interpreter;
    private readonly PagedMemory _memory;
    private readonly VcpuThreadOptions _options;
    private readonly Thread _thread;
    private readonly VcpuGdbTarget? _debug;

    public VcpuThread(MachineControl control, GuestMemory memory, IIoPortBus ports, VcpuThreadOptions options, IMmioBus? mmio = null)
    {
        ArgumentNullException.ThrowIfNull(control);
        ArgumentNullException.ThrowIfNull(memory);
        ArgumentNullException.ThrowIfNull(ports);
        ArgumentNullException.ThrowIfNull(options);
        _control = control;
        _options = options;
        Vcpu vcpu = control.Vcpu;
        _memory = new PagedMemory(memory, vcpu, mmio: mmio);
        var system = new SystemServices(new CpuidModel(vcpu.Model, (uint)vcpu.Index)) { Ports = ports };
        _interpreter = new Interpreter(vcpu, _memory, system) { DeliverExceptions = true };
        if (options.ExecutionLog is { TracesExecution: true } log)
        {
            _interpreter.Tracer = log;
        }

        if (options.Debugger)
        {
            _debug = new VcpuGdbTarget(vcpu, _interpreter, new PagedDebugMemory(memory, _memory), startStopped: false, onKill: () => control.RequestExit(0));
            DebugTarget = new MachineGdbTarget(_debug, control);
        }

        _thread = new Thread(Loop) { IsBackground = true, Name = "vcpu0" };
    }

    /// <summary>What the gdb stub serves, when <see cref="VcpuThreadOptions.Debugger"/> asked for one.</summary>
    public IGdbTarget? DebugTarget { get; }

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

            ExitReason reason;
            string? dump = null;
            try
            {
                reason = _debug is null ? _interpreter.Run(SliceInstructions) : _debug.RunSlice(DebugSliceInstructions, parkIfStopped: false);
                if (reason is ExitReason.TripleFault or ExitReason.Exception)
                {
                    dump = RegisterDump.Format(_control.Vcpu.State);
                }
            }
            finally
            {
                _control.EndSlice();
            }

            if (dump is null)
            {
                continue;
            }

            // Exception cannot happen with delivery on; treat it as the processor giving up, like a triple fault.
            _options.ExecutionLog?.TripleFault();
            _options.Log($"triple fault (last fault: vector {_interpreter.LastFault.Vector}, error code 0x{_interpreter.LastFault.ErrorCode:x}); CPU state:\n{dump.TrimEnd('\n')}");

            // An attached debugger sees the faulting state before the reset or exit.
            if (_debug is not null)
            {
                _debug.ReportStop(new GdbStop(GdbStopReason.Faulted));
                _debug.WaitWhileStopped();
            }

            if (_options.NoReboot && _options.NoShutdown)
            {
                // QEMU's -no-reboot makes the reset a shutdown and -no-shutdown keeps the VM, stopped, for the monitor.
                _control.SetState(RunState.Shutdown);
                continue;
            }

            if (_options.NoReboot)
            {
                _control.RequestExit(0);
                return;
            }

            _control.Reset(keepRunState: true);
        }
    }
}
