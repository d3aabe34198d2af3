using Emulator.GdbStub;

namespace Emulator.Vmm.Machine;

/// <summary>
/// The debugger's view of the machine: the vCPU's <see cref="VcpuGdbTarget"/> plus the machine's run
/// state, so the monitor and the debugger agree. A debugger stop (Ctrl-C, breakpoint, step, attach)
/// puts a running machine in <c>paused (debug)</c> and holds it there: the monitor's <c>cont</c> has
/// no effect until the debugger continues or detaches. The debugger's continue runs the machine
/// whatever stopped it (<c>-S</c>'s prelaunch, the monitor's <c>stop</c>), as QEMU's does.
/// </summary>
public sealed class MachineGdbTarget(VcpuGdbTarget vcpu, MachineControl control) : IGdbTarget
{
    public bool TryReadRegister(int number, Span<byte> destination) => vcpu.TryReadRegister(number, destination);

    public bool TryWriteRegister(int number, ReadOnlySpan<byte> value) => vcpu.TryWriteRegister(number, value);

    public bool TryReadMemory(ulong address, Span<byte> destination) => vcpu.TryReadMemory(address, destination);

    public bool TryWriteMemory(ulong address, ReadOnlySpan<byte> source) => vcpu.TryWriteMemory(address, source);

    public bool TryAddBreakpoint(GdbBreakpointType type, ulong address, ulong length) => vcpu.TryAddBreakpoint(type, address, length);

    public bool TryRemoveBreakpoint(GdbBreakpointType type, ulong address, ulong length) => vcpu.TryRemoveBreakpoint(type, address, length);

    public bool Pause(TimeSpan timeout)
    {
        control.EnterDebug();
        return vcpu.Pause(timeout);
    }

    public void Resume(bool step)
    {
        control.LeaveDebug();
        vcpu.Resume(step);
    }

    public void Detach()
    {
        vcpu.Detach();
        control.LeaveDebug();
    }

    public void Kill() => vcpu.Kill();

    public void SetStopListener(Action<GdbStop>? listener)
    {
        if (listener is null)
        {
            vcpu.SetStopListener(null);
            return;
        }

        vcpu.SetStopListener(stop =>
        {
            if (stop.Reason != GdbStopReason.Exited)
            {
                control.EnterDebug();
            }

            listener(stop);
        });
    }
}
