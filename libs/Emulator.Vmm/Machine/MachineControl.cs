using Emulator.Cpu;

namespace Emulator.Vmm.Machine;

/// <summary>
/// <see cref="IVmControl"/> for a machine with one vCPU that does not execute yet: the run state is
/// bookkeeping only (<c>-S</c> starts in prelaunch, <c>stop</c>/<c>cont</c> switch it), a reset sends
/// RESET_DEVICE to the device servers, puts the vCPU in its RESET state and returns to the start
/// state, <c>quit</c> ends the emulator with status 0, and <c>info registers</c> shows the vCPU as
/// QEMU would. Thread-safe: the monitors, signal handlers and server events all call in.
/// </summary>
public sealed class MachineControl : IVmControl, IDisposable
{
    private readonly RunState _startState;
    private readonly Lock _lock = new();
    private readonly ManualResetEventSlim _exit = new();
    private readonly Vcpu _vcpu = new(index: 0);
    private RunState _state;
    private int _exitCode;
    private Action? _resetDevices;

    public MachineControl(bool startPaused)
    {
        _startState = startPaused ? RunState.Prelaunch : RunState.Running;
        _state = _startState;
    }

    public RunState State
    {
        get
        {
            lock (_lock)
            {
                return _state;
            }
        }
    }

    /// <summary>True once an exit was requested.</summary>
    public bool ExitRequested => _exit.IsSet;

    /// <summary>What a reset does to the devices (RESET_DEVICE to each server); set once they run.</summary>
    public void SetResetAction(Action resetDevices)
    {
        lock (_lock)
        {
            _resetDevices = resetDevices;
        }
    }

    public void Pause()
    {
        lock (_lock)
        {
            if (_state is RunState.Running)
            {
                _state = RunState.Paused;
            }
        }
    }

    public void Resume()
    {
        lock (_lock)
        {
            if (_state is RunState.Paused or RunState.Prelaunch or RunState.Debug)
            {
                _state = RunState.Running;
            }
        }
    }

    public void Reset()
    {
        Action? reset;
        lock (_lock)
        {
            reset = _resetDevices;
        }

        reset?.Invoke();
        lock (_lock)
        {
            _vcpu.Reset();
            _state = _startState;
        }
    }

    public void Quit() => RequestExit(0);

    /// <summary>
    /// QEMU's <c>hmp_info_registers</c>: a blank line and <c>CPU#n</c>, then the dump of
    /// <c>cpu_dump_state(cs, NULL, CPU_DUMP_FPU)</c>.
    /// </summary>
    public string FormatRegisters()
    {
        lock (_lock)
        {
            return $"\nCPU#{_vcpu.Index}\n" + RegisterDump.Format(_vcpu.State);
        }
    }

    /// <summary>Ends the emulator with <paramref name="exitCode"/>; the first request wins.</summary>
    public void RequestExit(int exitCode)
    {
        lock (_lock)
        {
            if (_exit.IsSet)
            {
                return;
            }

            _exitCode = exitCode;
            _exit.Set();
        }
    }

    /// <summary>Blocks until an exit is requested; returns its status.</summary>
    public int WaitForExit()
    {
        _exit.Wait();
        lock (_lock)
        {
            return _exitCode;
        }
    }

    public void Dispose()
    {
        _exit.Dispose();
        lock (_lock)
        {
            _vcpu.Dispose();
        }
    }
}
