using Emulator.Posix;

namespace Emulator.VhostUser.Tests;

/// <summary>The adaptive-polling ring worker: runs on kicks, sleeps when idle, stops cleanly.</summary>
public sealed class VringWorkerTests
{
    [Fact]
    public void Runs_the_callback_for_each_kick_and_sleeps_between()
    {
        using var kick = new EventFd();
        using var processed = new EventFd(semaphore: true);
        int pending = 0;
        using var worker = new VringWorker(kick, () =>
        {
            if (Interlocked.Exchange(ref pending, 0) == 0)
            {
                return false;
            }

            processed.Signal();
            return true;
        }, "test-worker");
        worker.Start();

        // Each kick lands on a sleeping worker, so each one costs exactly one more sleep: the worker never
        // stays awake (spinning) once the short spin window after the work has passed.
        for (int i = 1; i <= 3; i++)
        {
            WaitUntil(() => worker.Sleeps >= i);
            Interlocked.Exchange(ref pending, 1);
            kick.Signal();
            Assert.True(processed.Wait(10_000));
        }

        WaitUntil(() => worker.Sleeps >= 4);
    }

    [Fact]
    public void Wake_runs_the_callback_without_a_kick()
    {
        using var kick = new EventFd();
        using var ran = new EventFd();
        int wanted = 0;
        using var worker = new VringWorker(kick, () =>
        {
            if (Interlocked.Exchange(ref wanted, 0) == 1)
            {
                ran.Signal();
            }

            return false;
        }, "test-wake");
        worker.Start();
        Interlocked.Exchange(ref wanted, 1);
        worker.Wake();
        Assert.True(ran.Wait(10_000));
    }

    [Fact]
    public void Stop_returns_while_the_worker_is_asleep_and_can_be_repeated()
    {
        using var kick = new EventFd();
        var worker = new VringWorker(kick, () => false, "test-stop");
        worker.Start();
        WaitUntil(() => worker.Sleeps > 0);
        worker.Stop();
        worker.Stop();
        worker.Dispose();
        Assert.True(worker.Sleeps > 0);
    }

    private static void WaitUntil(Func<bool> condition)
    {
        long deadline = Environment.TickCount64 + 10_000;
        while (!condition())
        {
            Assert.True(Environment.TickCount64 < deadline, "condition not reached");
            Thread.Sleep(1);
        }
    }
}
