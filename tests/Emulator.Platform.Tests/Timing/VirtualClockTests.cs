using Emulator.Tests.Shared;

namespace Emulator.Platform.Tests.Timing;

public sealed class VirtualClockTests
{
    [Fact]
    public void StartsAtZeroAndFollowsTheHost()
    {
        var host = new ManualHostClock();
        var clock = new VirtualClock(host.Read);
        Assert.Equal(0, clock.Now);
        host.Advance(500);
        Assert.Equal(500, clock.Now);
    }

    [Fact]
    public void PauseFreezesTimeAndResumeDoesNotJump()
    {
        var host = new ManualHostClock();
        var clock = new VirtualClock(host.Read, DateTimeOffset.UnixEpoch);
        host.Advance(100);
        clock.Pause();
        clock.Pause();
        host.Advance(1_000_000);
        Assert.Equal(100, clock.Now);
        Assert.True(clock.IsPaused);
        clock.Resume();
        clock.Resume();
        host.Advance(50);
        Assert.Equal(150, clock.Now);
        Assert.Equal(DateTimeOffset.UnixEpoch.AddTicks(1), clock.WallTime);
    }

    [Fact]
    public void TimersFireEarliestFirstOnlyWhenDue()
    {
        var host = new ManualHostClock();
        var clock = new VirtualClock(host.Read);
        var fired = new List<string>();
        IDeviceTimer a = clock.CreateTimer(() => fired.Add("a"));
        IDeviceTimer b = clock.CreateTimer(() => fired.Add("b"));
        a.Arm(300);
        b.Arm(200);
        Assert.Equal(200, clock.NextDeadline);
        Assert.Equal(0, clock.RunExpired());
        host.Advance(1000);
        Assert.Equal(2, clock.RunExpired());
        Assert.Equal(["b", "a"], fired);
        Assert.False(a.IsArmed);
        Assert.Null(clock.NextDeadline);
    }

    [Fact]
    public void RearmingReplacesAndCancelStops()
    {
        var host = new ManualHostClock();
        var clock = new VirtualClock(host.Read);
        int count = 0;
        IDeviceTimer t = clock.CreateTimer(() => count++);
        t.Arm(100);
        t.Arm(500);
        Assert.Equal(500, clock.NextDeadline);
        host.Advance(200);
        Assert.Equal(0, clock.RunExpired());
        t.Cancel();
        Assert.Null(clock.NextDeadline);
        host.Advance(1000);
        Assert.Equal(0, clock.RunExpired());
        t.Arm(0);
        Assert.Equal(1, clock.RunExpired());
        Assert.Equal(1, count);
    }

    [Fact]
    public void PeriodicRearmInThePastIsBoundedPerRun()
    {
        var host = new ManualHostClock();
        var clock = new VirtualClock(host.Read);
        IDeviceTimer? t = null;
        t = clock.CreateTimer(() => t?.Arm(0));
        t.Arm(0);
        Assert.Equal(VirtualClock.MaxCallbacksPerRun, clock.RunExpired());
    }

    [Fact]
    public void ReprogrammingInALoopKeepsTheQueueBounded()
    {
        var clock = new VirtualClock(new ManualHostClock().Read);
        IDeviceTimer t = clock.CreateTimer(() => { });
        for (int i = 0; i < 10_000; i++)
        {
            t.Arm(1_000_000 + i);
        }

        Assert.InRange(clock.QueuedEntries, 1, 100);
        Assert.Equal(1_000_000 + 9_999, clock.NextDeadline);
    }

    [Fact]
    public void TscViewRunsOnTheSameClock()
    {
        var host = new ManualHostClock();
        var clock = new VirtualClock(host.Read);
        var tsc = new ClockTimeSource(clock, 2_000_000_000);
        host.Advance(1000);
        Assert.Equal(2000ul, tsc.Now);
        clock.Pause();
        host.Advance(1000);
        Assert.Equal(2000ul, tsc.Now);
        Assert.Equal(1000, tsc.ToNanoseconds(2000));
        Assert.Equal(1, tsc.ToNanoseconds(1));
        Assert.Equal(long.MaxValue, new ClockTimeSource(clock, 1).ToNanoseconds(ulong.MaxValue));
    }

    [Fact]
    [Trait("Category", FuzzBudget.Category)]
    public void RandomArmCancelFiresEachArmingAtMostOnceInOrder()
    {
        var random = new Random(7);
        var host = new ManualHostClock();
        var clock = new VirtualClock(host.Read);
        var deadlines = new long[8];
        var timers = new IDeviceTimer[8];
        long lastFired = long.MinValue;
        for (int i = 0; i < timers.Length; i++)
        {
            int index = i;
            timers[i] = clock.CreateTimer(() =>
            {
                Assert.True(deadlines[index] <= clock.Now);
                Assert.True(deadlines[index] >= lastFired);
                lastFired = deadlines[index];
            });
        }

        for (int n = 0; n < FuzzBudget.Iterations(20_000); n++)
        {
            int i = random.Next(timers.Length);
            switch (random.Next(4))
            {
                case 0:
                    deadlines[i] = clock.Now + random.Next(-100, 10_000);
                    timers[i].Arm(deadlines[i]);
                    break;
                case 1:
                    timers[i].Cancel();
                    break;
                case 2:
                    host.Advance(random.Next(0, 3000));
                    lastFired = long.MinValue;
                    clock.RunExpired();
                    for (int k = 0; k < timers.Length; k++)
                    {
                        Assert.False(timers[k].IsArmed && deadlines[k] <= clock.Now);
                    }

                    break;
                default:
                    long? next = clock.NextDeadline;
                    Assert.Equal(next is null, timers.All(t => !t.IsArmed));
                    break;
            }
        }
    }
}
