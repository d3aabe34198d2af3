using static Iced.Intel.AssemblerRegisters;

namespace Emulator.GdbStub.Tests;

/// <summary>The hooks for a machine that parks outside its slices: <see cref="VcpuGdbTarget.WaitWhileStopped"/> and a RunSlice that will not park.</summary>
public sealed class MachineLoopHooksTests
{
    [Fact]
    public void RunSliceThatMayNotParkRunsNothingWhileStoppedAndRunsOnceResumed()
    {
        using var machine = new GuestMachine(a =>
        {
            a.mov(eax, 1);
            a.mov(ebx, 2);
            a.hlt();
        }, startStopped: true);
        ulong start = machine.Vcpu.State.Rip;
        Assert.Equal(Cpu.ExitReason.InstructionLimit, machine.Target.RunSlice(100, parkIfStopped: false));
        Assert.Equal(start, machine.Vcpu.State.Rip);

        machine.Target.Resume(step: false);
        machine.Target.WaitWhileStopped();
        Assert.Equal(Cpu.ExitReason.Halted, machine.Target.RunSlice(100, parkIfStopped: false));
        Assert.Equal(2UL, machine.Vcpu.State.Gpr[(int)Cpu.GeneralRegister.Rbx]);
    }

    [Fact]
    public void PauseReturnsOnceAnIdleVcpuLooksOutsideItsSlices()
    {
        using var machine = new GuestMachine(a => a.hlt(), startStopped: false);
        using var done = new ManualResetEventSlim();

        // An idle vCPU's loop, as the machine's: look whether the debugger holds the guest every few ms.
        var idle = new Thread(() =>
        {
            while (!done.IsSet)
            {
                machine.Target.WaitWhileStopped();
                done.Wait(2);
            }
        });
        idle.Start();
        Assert.True(machine.Target.Pause(TimeSpan.FromSeconds(20)));
        done.Set();
        machine.Target.Resume(step: false);
        Assert.True(idle.Join(TimeSpan.FromSeconds(20)));
    }
}
