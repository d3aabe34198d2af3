using Emulator.Cpu;

namespace Emulator.Vmm.Machine;

/// <summary>
/// <see cref="IVmControl"/> for a machine with one vCPU, and the meeting point of the monitor and the
/// vCPU thread. The vCPU runs in slices (<see cref="TryBeginSlice"/> / <see cref="EndSlice"/>); a slice
/// starts only while the machine is running and nobody waits to look at it, so <c>stop</c>/<c>cont</c>
/// take effect at slice boundaries and <c>info registers</c> and <c>system_reset</c> see or change a
/// vCPU that is between slices. A halted vCPU sleeps outside slices (the platform's idle wait), which
/// <see cref="SetWakeAction"/> breaks when the machine's state changes. <c>-S</c> starts in prelaunch; a monitor reset
/// returns to the start state; <c>quit</c> ends the emulator with status 0. Thread-safe: the
/// monitors, signal handlers, server events and the vCPU thread all call in.
/// </summary>
public sealed class MachineControl : IVmControl, IDisposable
{
    private readonly RunState _startState;
    private readonly object _gate = new();
    private readonly ManualResetEventSlim _exit = new();
    private readonly Vcpu _vcpu = new(index: 0);
    private RunState _state;
    private int _exitCode;
    private bool _inSlice;
    private bool _debuggerHolds;
    private int _waiters;
    private Action? _resetDevices;
    private Action<Vcpu>? _boot;
    private Action<Vcpu>? _beforeReset;
    private Action? _wake;
    private Action<bool>? _runningChanged;
    private bool _reportedRunning;

    public MachineControl(bool startPaused)
    {
        _startState = startPaused ? RunState.Prelaunch : RunState.Running;
        _state = _startState;
    }

    public RunState State
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    /// <summary>True once an exit was requested.</summary>
    public bool ExitRequested => _exit.IsSet;

    /// <summary>The vCPU; touch its state only inside a slice (the vCPU thread) or through <see cref="WithVcpu"/>.</summary>
    internal Vcpu Vcpu => _vcpu;

    /// <summary>What a reset does to the devices (RESET_DEVICE to each server); set once they run.</summary>
    public void SetResetAction(Action resetDevices)
    {
        lock (_gate)
        {
            _resetDevices = resetDevices;
        }
    }

    /// <summary>What follows the vCPU's RESET on every reset: reload <c>-bios</c>/<c>-kernel</c> and set the entry state. Runs now too.</summary>
    public void SetBootAction(Action<Vcpu> boot)
    {
        ArgumentNullException.ThrowIfNull(boot);
        WithVcpu(vcpu =>
        {
            _boot = boot;
            boot(vcpu);
            return 0;
        });
    }

    /// <summary>Sees the vCPU just before each reset (the <c>-d cpu_reset</c> log).</summary>
    public void SetBeforeResetAction(Action<Vcpu> beforeReset)
    {
        lock (_gate)
        {
            _beforeReset = beforeReset;
        }
    }

    /// <summary>Breaks the vCPU thread's idle wait (a halted guest) so it sees a state change, a reset or the exit.</summary>
    public void SetWakeAction(Action wake)
    {
        ArgumentNullException.ThrowIfNull(wake);
        lock (_gate)
        {
            _wake = wake;
        }
    }

    /// <summary>
    /// Told (under the machine's lock, so keep it short) whenever the machine starts or stops running:
    /// guest time stands still while it is stopped, as QEMU's virtual clock does. Called now with the current state.
    /// </summary>
    public void SetRunningObserver(Action<bool> runningChanged)
    {
        ArgumentNullException.ThrowIfNull(runningChanged);
        lock (_gate)
        {
            _runningChanged = runningChanged;
            _reportedRunning = _state is RunState.Running;
            runningChanged(_reportedRunning);
        }
    }

    /// <summary>After any change of <see cref="_state"/>: wakes waiters and reports a running/stopped edge.</summary>
    private void StateChangedLocked()
    {
        bool running = _state is RunState.Running;
        if (running != _reportedRunning && _runningChanged is { } observer)
        {
            _reportedRunning = running;
            observer(running);
        }

        Monitor.PulseAll(_gate);
        _wake?.Invoke();
    }

    public void Pause()
    {
        lock (_gate)
        {
            if (_state is RunState.Running)
            {
                _state = RunState.Paused;
            }

            StateChangedLocked();
        }
    }

    /// <summary>
    /// The monitor's <c>cont</c>. While an attached debugger holds the guest stopped it has no effect:
    /// the debugger's stop wins, and its own continue (or detach) restarts the machine.
    /// </summary>
    public void Resume()
    {
        lock (_gate)
        {
            if (!_debuggerHolds)
            {
                ResumeLocked();
            }
        }
    }

    /// <summary>The debugger stopped the guest (Ctrl-C, a breakpoint, a step): a running machine enters <see cref="RunState.Debug"/>.</summary>
    public void EnterDebug()
    {
        lock (_gate)
        {
            _debuggerHolds = true;
            if (_state is RunState.Running)
            {
                _state = RunState.Debug;
            }

            StateChangedLocked();
        }
    }

    /// <summary>The debugger continued, stepped or detached: the machine runs, whatever stopped it (as QEMU's gdb continue does).</summary>
    public void LeaveDebug()
    {
        lock (_gate)
        {
            _debuggerHolds = false;
            ResumeLocked();
        }
    }

    private void ResumeLocked()
    {
        if (_state is RunState.Paused or RunState.Prelaunch or RunState.Debug)
        {
            _state = RunState.Running;
        }

        StateChangedLocked();
    }

    public void Reset() => Reset(keepRunState: false);

    /// <summary>
    /// A reset: the devices, then the vCPU's RESET state and the boot images. A monitor reset returns
    /// to the start state; a guest-caused one (<paramref name="keepRunState"/>, e.g. a triple fault) keeps it.
    /// </summary>
    public void Reset(bool keepRunState)
    {
        Action? reset;
        lock (_gate)
        {
            reset = _resetDevices;
        }

        reset?.Invoke();
        WithVcpu(vcpu =>
        {
            _beforeReset?.Invoke(vcpu);
            vcpu.Reset();
            _boot?.Invoke(vcpu);
            if (!keepRunState)
            {
                _state = _startState;
            }

            StateChangedLocked();
            return 0;
        });
    }

    public void Quit() => RequestExit(0);

    /// <summary>
    /// QEMU's <c>hmp_info_registers</c>: a blank line and <c>CPU#n</c>, then the dump of
    /// <c>cpu_dump_state(cs, NULL, CPU_DUMP_FPU)</c>; taken between slices.
    /// </summary>
    public string FormatRegisters() => WithVcpu(vcpu => $"\nCPU#{vcpu.Index}\n" + RegisterDump.Format(vcpu.State));

    /// <summary>Runs <paramref name="action"/> on the vCPU between slices (waiting for a running one to end).</summary>
    public T WithVcpu<T>(Func<Vcpu, T> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        lock (_gate)
        {
            _waiters++;
            try
            {
                while (_inSlice)
                {
                    Monitor.Wait(_gate);
                }

                return action(_vcpu);
            }
            finally
            {
                _waiters--;
                Monitor.PulseAll(_gate);
            }
        }
    }

    /// <summary>
    /// For the vCPU thread: blocks until a slice may run (running, not halted, nobody waiting to
    /// look at the vCPU) and marks one started; false once the emulator is exiting.
    /// </summary>
    public bool TryBeginSlice()
    {
        lock (_gate)
        {
            while (!_exit.IsSet && (_state != RunState.Running || _waiters > 0))
            {
                Monitor.Wait(_gate);
            }

            if (_exit.IsSet)
            {
                return false;
            }

            _inSlice = true;
            return true;
        }
    }

    /// <summary>
    /// Like <see cref="TryBeginSlice()"/>, but gives up after <paramref name="idleTimeout"/> so the vCPU
    /// thread can look elsewhere while idle (a debugger's stop request must reach a halted or paused vCPU).
    /// </summary>
    public SliceStart TryBeginSlice(TimeSpan idleTimeout)
    {
        long deadline = Environment.TickCount64 + (long)idleTimeout.TotalMilliseconds;
        lock (_gate)
        {
            while (!_exit.IsSet && (_state != RunState.Running || _waiters > 0))
            {
                long left = deadline - Environment.TickCount64;
                if (left <= 0)
                {
                    return SliceStart.Idle;
                }

                Monitor.Wait(_gate, TimeSpan.FromMilliseconds(left));
            }

            if (_exit.IsSet)
            {
                return SliceStart.Exit;
            }

            _inSlice = true;
            return SliceStart.Run;
        }
    }

    public void EndSlice()
    {
        lock (_gate)
        {
            _inSlice = false;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Enters a stop state the guest caused (QEMU's -no-shutdown shutdown, an internal error).</summary>
    public void SetState(RunState state)
    {
        lock (_gate)
        {
            _state = state;
            StateChangedLocked();
        }
    }

    /// <summary>Ends the emulator with <paramref name="exitCode"/>; the first request wins.</summary>
    public void RequestExit(int exitCode)
    {
        lock (_gate)
        {
            if (_exit.IsSet)
            {
                return;
            }

            _exitCode = exitCode;
            _exit.Set();
            StateChangedLocked();
        }
    }

    /// <summary>Blocks until an exit is requested; returns its status.</summary>
    public int WaitForExit()
    {
        _exit.Wait();
        lock (_gate)
        {
            return _exitCode;
        }
    }

    public void Dispose()
    {
        _exit.Dispose();
        lock (_gate)
        {
            _vcpu.Dispose();
        }
    }
}
