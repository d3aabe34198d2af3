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
    public void RegistersAreRefusedWithoutAVcpu()
    {
        using var control = new MachineControl(startPaused: false);
        var monitor = new HumanMonitor(control);
        Assert.Equal("Error: no vCPU in this machine yet\n", monitor.Execute("info registers").Output);
        Assert.Equal("VM status: running\n", monitor.Execute("info status").Output);
    }
}
