using Emulator.Vmm;
using Emulator.Vmm.Machine;

namespace Emulator.System.Tests.EndToEnd;

public sealed class MachineControlTests
{
    [Fact]
    public void StopContAndResetFollowTheStartState()
    {
        int resets = 0;
        using var control = new MachineControl(startPaused: true);
        control.SetResetAction(() => resets++);
        Assert.Equal(RunState.Prelaunch, control.State);
        control.Resume();
        Assert.Equal(RunState.Running, control.State);
        control.Pause();
        Assert.Equal(RunState.Paused, control.State);
        control.Resume();
        control.Reset();
        Assert.Equal(1, resets);
        Assert.Equal(RunState.Prelaunch, control.State);
    }

    [Fact]
    public void QuitEndsWithStatusZeroAndTheFirstExitWins()
    {
        using var control = new MachineControl(startPaused: false);
        control.Quit();
        control.RequestExit(3);
        Assert.Equal(0, control.WaitForExit());
    }

    [Fact]
    public void RegistersShowTheResetVcpuAsQemuDoes()
    {
        using var control = new MachineControl(startPaused: false);
        var monitor = new HumanMonitor(control);
        string registers = monitor.Execute("info registers").Output;
        Assert.StartsWith("\nCPU#0\nEAX=00000000 EBX=00000000 ECX=00000000 EDX=00060fb1\n", registers, StringComparison.Ordinal);
        Assert.Contains("\nEIP=0000fff0 EFL=00000002 [-------] CPL=0 II=0 A20=1 SMM=0 HLT=0\n", registers, StringComparison.Ordinal);
        Assert.Contains("\nCS =f000 ffff0000 0000ffff 00009b00\n", registers, StringComparison.Ordinal);
        Assert.EndsWith("XMM06=0000000000000000 0000000000000000 XMM07=0000000000000000 0000000000000000\n", registers, StringComparison.Ordinal);
        Assert.Equal("VM status: running\n", monitor.Execute("info status").Output);
    }

    [Fact]
    public void SystemResetReturnsTheVcpuToItsResetStateEveryTime()
    {
        using var control = new MachineControl(startPaused: true);
        string fresh = control.FormatRegisters();
        control.Reset();
        Assert.Equal(fresh, control.FormatRegisters());
        control.Reset();
        Assert.Equal(fresh, control.FormatRegisters());
    }
}
