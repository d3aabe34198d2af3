using System.Collections.Concurrent;
using Emulator.Memory;
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

    [Fact]
    public void Wake_after_stop_or_dispose_does_nothing()
    {
        using var kick = new EventFd();
        var worker = new VringWorker(kick, () => false, "test-late-wake");
        worker.Start();
        worker.Stop();
        worker.Wake();
        worker.Dispose();
        worker.Wake();
        worker.Dispose();
        Assert.False(worker.IsFaulted);
    }

    [Fact]
    public void Wake_racing_dispose_never_throws()
    {
        using var kick = new EventFd();
        var worker = new VringWorker(kick, () => false, "test-race-wake");
        worker.Start();
        using var go = new ManualResetEventSlim();
        var waker = new Thread(() =>
        {
            go.Wait();
            for (int i = 0; i < 10_000; i++)
            {
                worker.Wake();
            }
        });
        waker.Start();
        go.Set();
        worker.Dispose();
        Assert.True(waker.Join(10_000));
    }

    [Fact]
    public void An_exception_from_process_stops_only_that_ring_and_is_recorded_logged_and_signalled()
    {
        using GuestMemory memory = GuestMemory.Create((0, 0x10000));
        using var kick = new EventFd();
        using var err = new EventFd();
        ConcurrentQueue<string> log = new();
        var setup = new VringSetup
        {
            Index = 0,
            Memory = memory,
            Size = 8,
            DescriptorTable = 0x1000,
            AvailableRing = 0x2000,
            UsedRing = 0x3000,
            NextAvail = 0,
            Kick = kick,
            Err = err,
            Log = log.Enqueue,
        };
        using var worker = new VringWorker(setup, () => throw new InvalidOperationException("device bug"), "test-fault");
        worker.Start();

        Assert.True(err.Wait(10_000));
        WaitUntil(() => worker.IsFaulted);
        InvalidOperationException fault = Assert.IsType<InvalidOperationException>(worker.Fault);
        Assert.Equal("device bug", fault.Message);
        Assert.Contains(log, line => line.Contains("test-fault", StringComparison.Ordinal) && line.Contains("device bug", StringComparison.Ordinal));

        // The thread is gone: kicks are no longer consumed, and stopping it is still clean.
        kick.Signal();
        worker.Stop();
        Assert.True(kick.TryConsume(out _));
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
