using Emulator.Vmm;
using Emulator.Vmm.Machine;

namespace Emulator.System.Tests.EndToEnd;

/// <summary>The run state under a debugger: its stop wins over the monitor's cont while it holds the guest.</summary>
public sealed class MachineDebugStateTests
{
    [Fact]
    public void DebuggerStopWinsOverTheMonitorsContUntilTheDebuggerContinues()
    {
        using var control = new MachineControl(startPaused: false);
        control.EnterDebug();
        Assert.Equal(RunState.Debug, control.State);
        control.Resume();
        Assert.Equal(RunState.Debug, control.State);
        control.LeaveDebug();
        Assert.Equal(RunState.Running, control.State);
    }

    [Fact]
    public void DebuggerContinueStartsAPrelaunchOrStoppedMachine()
    {
        using var control = new MachineControl(startPaused: true);
        control.EnterDebug();
        Assert.Equal(RunState.Prelaunch, control.State);
        control.LeaveDebug();
        Assert.Equal(RunState.Running, control.State);
        control.Pause();
        control.EnterDebug();
        Assert.Equal(RunState.Paused, control.State);
        control.LeaveDebug();
        Assert.Equal(RunState.Running, control.State);
    }

    [Fact]
    public void SliceWaitWithATimeoutReportsIdleThenExit()
    {
        using var control = new MachineControl(startPaused: true);
        Assert.Equal(SliceStart.Idle, control.TryBeginSlice(TimeSpan.FromMilliseconds(1)));
        control.Resume();
        Assert.Equal(SliceStart.Run, control.TryBeginSlice(TimeSpan.FromMilliseconds(1)));
        control.EndSlice();
        control.RequestExit(0);
        Assert.Equal(SliceStart.Exit, control.TryBeginSlice(TimeSpan.FromMilliseconds(1)));
    }

    [Fact]
    public void ShutdownStateIsLeftOnlyByAReset()
    {
        using var control = new MachineControl(startPaused: false);
        control.SetState(RunState.Shutdown);
        control.Resume();
        Assert.Equal(RunState.Shutdown, control.State);
        control.Reset();
        Assert.Equal(RunState.Running, control.State);
    }
}
