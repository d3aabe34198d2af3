using Emulator.Vmm;
using Emulator.Vmm.Machine;

namespace Emulator.System.Tests.EndToEnd;

public sealed class MachineSliceTests
{
    /// <summary>Runs <paramref name="action"/> on its own thread; Wait says whether it finished.</summary>
    private sealed class Background<T> : IDisposable
    {
        private readonly ManualResetEventSlim _done = new();
        private readonly Thread _thread;

        public Background(Func<T> action)
        {
            _thread = new Thread(() =>
            {
                Result = action();
                _done.Set();
            });
            _thread.Start();
        }

        public T? Result { get; private set; }

        public bool Wait(TimeSpan timeout) => _done.Wait(timeout);

        public void Dispose()
        {
            _thread.Join();
            _done.Dispose();
        }
    }

    private static readonly TimeSpan Brief = TimeSpan.FromMilliseconds(50);

    [Fact]
    public void SlicesRunOnlyWhileRunning()
    {
        using var control = new MachineControl(startPaused: false);
        Assert.True(control.TryBeginSlice());
        control.EndSlice();

        control.Pause();
        using (var waiting = new Background<bool>(control.TryBeginSlice))
        {
            Assert.False(waiting.Wait(Brief));
            control.Resume();
            Assert.True(waiting.Wait(Patience.Wait));
            Assert.True(waiting.Result);
        }

        // A halted vCPU still gets slices: the platform's loop decides to sleep until its next timer.
        control.EndSlice();
        control.WithVcpu(v => v.State.Halted = 1);
        Assert.True(control.TryBeginSlice());
        control.EndSlice();
        control.Quit();
        Assert.False(control.TryBeginSlice());
    }

    [Fact]
    public void StateChangesWakeTheIdleVcpuAndReportRunningEdges()
    {
        using var control = new MachineControl(startPaused: true);
        int wakes = 0;
        List<bool> edges = [];
        control.SetWakeAction(() => Interlocked.Increment(ref wakes));
        control.SetRunningObserver(edges.Add);
        control.Resume();
        control.Pause();
        control.Pause();
        control.Reset(keepRunState: true);
        control.Quit();
        Assert.Equal([false, true, false], edges);
        Assert.True(wakes >= 4, $"{wakes} wake-ups for resume, two pauses, reset and quit");
    }

    [Fact]
    public void LookingAtTheVcpuWaitsForTheSliceToEnd()
    {
        using var control = new MachineControl(startPaused: false);
        Assert.True(control.TryBeginSlice());
        using var registers = new Background<string>(control.FormatRegisters);
        Assert.False(registers.Wait(Brief));
        control.EndSlice();
        Assert.True(registers.Wait(Patience.Wait));
        Assert.Contains("CPU#0", registers.Result, StringComparison.Ordinal);
    }

    [Fact]
    public void BootActionRunsAtOnceAndOnEveryReset()
    {
        int boots = 0;
        using var control = new MachineControl(startPaused: true);
        control.SetBootAction(v => boots++);
        control.Reset();
        control.Reset(keepRunState: true);
        Assert.Equal(3, boots);
        Assert.Equal(RunState.Prelaunch, control.State);
    }
}
