using Emulator.Cpu;

namespace Emulator.GdbStub;

/// <summary>
/// <see cref="IGdbTarget"/> for one vCPU run by an <see cref="Interpreter"/>. The vCPU thread calls
/// <see cref="RunSlice"/> in its loop instead of <see cref="Interpreter.Run"/>: it parks there while the
/// debugger holds the guest stopped, honours breakpoints and single steps, and reports stops. The
/// debugger thread touches <see cref="CpuState"/> and memory only while the vCPU is parked, so the
/// state needs no lock of its own (the monitor orders the accesses).
/// </summary>
public sealed class VcpuGdbTarget : IGdbTarget
{
    private readonly object _lock = new();
    private readonly Vcpu _vcpu;
    private readonly Interpreter _interpreter;
    private readonly IDebugMemory _memory;
    private readonly Action? _onKill;
    private readonly WatchTracker _watches = new();
    private Action<GdbStop>? _listener;
    private bool _stopped;
    private bool _parked;
    private bool _step;
    private ulong? _resumeFrom;

    /// <param name="startStopped">QEMU's <c>-S</c>: the guest waits for the debugger's first continue.</param>
    /// <param name="onKill">What <c>k</c> does (QEMU ends the machine); null ignores it.</param>
    public VcpuGdbTarget(Vcpu vcpu, Interpreter interpreter, IDebugMemory memory, bool startStopped = false, Action? onKill = null)
    {
        ArgumentNullException.ThrowIfNull(vcpu);
        ArgumentNullException.ThrowIfNull(interpreter);
        ArgumentNullException.ThrowIfNull(memory);
        _vcpu = vcpu;
        _interpreter = interpreter;
        _memory = memory;
        _onKill = onKill;
        _stopped = startStopped;
    }

    public BreakpointSet Breakpoints { get; } = new();

    /// <summary>
    /// vCPU thread: waits while the debugger holds the guest, then runs up to <paramref name="budget"/>
    /// instructions (one when stepping). Returns the interpreter's exit reason; a breakpoint or step stop
    /// returns <see cref="ExitReason.InstructionLimit"/> (the next call parks). Keep the budget small
    /// enough that a Ctrl-C is seen promptly; a halted guest should still call this now and then.
    /// </summary>
    /// <param name="budget">Instructions to run at most.</param>
    /// <param name="parkIfStopped">
    /// False for a machine that parks through <see cref="WaitWhileStopped"/> outside its slices: a stop
    /// requested since then makes this return <see cref="ExitReason.InstructionLimit"/> at once, running nothing.
    /// </param>
    public ExitReason RunSlice(long budget, bool parkIfStopped = true)
    {
        bool step;
        ulong? resumeFrom;
        lock (_lock)
        {
            if (_stopped && !parkIfStopped)
            {
                return ExitReason.InstructionLimit;
            }

            ParkWhileStopped();
            step = _step;
            resumeFrom = _resumeFrom;
            _step = false;
            _resumeFrom = null;
        }

        if (step)
        {
            _watches.Capture(_memory, Breakpoints.Watchpoints);
            ExitReason stepped = _interpreter.Step();
            if (_watches.TryFindChange(_memory, out ulong watched))
            {
                ReportStop(new GdbStop(GdbStopReason.WriteWatchpoint, watched));
            }
            else
            {
                ReportStop(new GdbStop(stepped is ExitReason.InstructionLimit or ExitReason.Halted ? GdbStopReason.Step : GdbStopReason.Faulted));
            }

            return stepped;
        }

        DebugStop stop = DebugExecutor.Run(_interpreter, _vcpu, Breakpoints, budget, resumeFrom, _memory);
        if (stop.Stop is { } reason)
        {
            ReportStop(new GdbStop(reason, stop.Address));
        }

        return stop.Exit;
    }

    /// <summary>
    /// vCPU thread: parks while the debugger holds the guest, without running anything. A machine that
    /// runs slices under its own lock calls this outside a slice (and while idle: halted or paused), so
    /// the debugger's stop is honoured and other inspectors of the vCPU are not kept waiting by it.
    /// </summary>
    public void WaitWhileStopped()
    {
        lock (_lock)
        {
            ParkWhileStopped();
        }
    }

    private void ParkWhileStopped()
    {
        while (_stopped)
        {
            _parked = true;
            Monitor.PulseAll(_lock);
            Monitor.Wait(_lock);
        }

        _parked = false;
    }

    /// <summary>
    /// For the machine: the guest stopped for a reason the debugger should hear about (a fault it cannot
    /// deliver, shutdown). The vCPU parks at its next <see cref="RunSlice"/> if a debugger is attached.
    /// </summary>
    public void ReportStop(GdbStop stop)
    {
        Action<GdbStop>? listener;
        lock (_lock)
        {
            listener = _listener;
            if (listener is null)
            {
                return;
            }

            _stopped = true;
        }

        listener(stop);
    }

    public void SetStopListener(Action<GdbStop>? listener)
    {
        lock (_lock)
        {
            _listener = listener;
        }
    }

    public bool TryReadRegister(int number, Span<byte> destination) => X86GdbRegisters.Read(in _vcpu.State, number, destination) > 0;

    public bool TryWriteRegister(int number, ReadOnlySpan<byte> value) => X86GdbRegisters.Write(ref _vcpu.State, number, value);

    public bool TryReadMemory(ulong address, Span<byte> destination) => _memory.TryRead(address, destination);

    public bool TryWriteMemory(ulong address, ReadOnlySpan<byte> source)
    {
        if (!_memory.TryWrite(address, source))
        {
            return false;
        }

        // The write may patch code the interpreter already decoded.
        _interpreter.Blocks.InvalidateAll();
        return true;
    }

    public bool TryAddBreakpoint(GdbBreakpointType type, ulong address, ulong length) => Breakpoints.Add(type, address, length);

    public bool TryRemoveBreakpoint(GdbBreakpointType type, ulong address, ulong length) => Breakpoints.Remove(type, address, length);

    public bool Pause(TimeSpan timeout)
    {
        lock (_lock)
        {
            _stopped = true;
            long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
            while (!_parked)
            {
                long left = deadline - Environment.TickCount64;
                if (left <= 0 || !Monitor.Wait(_lock, TimeSpan.FromMilliseconds(left)))
                {
                    return _parked;
                }
            }

            return true;
        }
    }

    public void Resume(bool step)
    {
        lock (_lock)
        {
            _step = step;
            _resumeFrom = DebugExecutor.LinearPc(in _vcpu.State);
            _stopped = false;
            Monitor.PulseAll(_lock);
        }
    }

    public void Detach()
    {
        Breakpoints.Clear();
        lock (_lock)
        {
            _listener = null;
        }

        Resume(step: false);
    }

    /// <summary>Runs the machine's kill action, then lets the vCPU go so its thread can see the machine end.</summary>
    public void Kill()
    {
        _onKill?.Invoke();
        Detach();
    }
}
