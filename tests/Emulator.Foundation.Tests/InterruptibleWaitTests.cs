using Emulator.Posix;

namespace Emulator.Foundation.Tests;

/// <summary>The stop event and the interruptible whole-buffer write.</summary>
public sealed class InterruptibleWaitTests
{
    [Fact]
    public void Stop_event_stays_set_wakes_every_waiter_and_is_safe_after_dispose()
    {
        var stop = new StopEvent();
        (SafeFd r, SafeFd w) = Fd.Pipe(nonBlocking: true);
        using (r)
        using (w)
        {
            Assert.False(stop.IsSet);
            Assert.Equal(0, stop.Wait(r, PollEvents.In, 0));
            Assert.True(stop.Sleep(0));
            stop.Set();
            stop.Set();
            Assert.True(stop.IsSet);
            Assert.True(stop.Token.IsCancellationRequested);

            // Never consumed: every later wait sees it.
            Assert.Equal(-1, stop.Wait(r, PollEvents.In, -1));
            Assert.Equal(-1, stop.Wait(r, PollEvents.In, -1));
            Assert.False(stop.Sleep(-1));
        }

        stop.Dispose();
        stop.Set();
        stop.Dispose();
    }

    [Fact]
    public void Write_all_writes_everything_when_there_is_room()
    {
        (SafeFd r, SafeFd w) = Fd.Pipe(nonBlocking: true);
        using (r)
        using (w)
        {
            Assert.Equal(WriteAllResult.Written, Fd.WriteAll(w, "hello"u8, null, 1000));
            byte[] buffer = new byte[5];
            Assert.Equal(5, Fd.Read(r, buffer));
            Assert.Equal("hello"u8.ToArray(), buffer);
        }
    }

    [Fact]
    public void Write_all_to_a_full_pipe_ends_on_cancel_or_timeout()
    {
        (SafeFd r, SafeFd w) = Fd.Pipe(nonBlocking: true);
        using var stop = new StopEvent();
        using (r)
        using (w)
        {
            byte[] big = new byte[1 << 20];
            Assert.Equal(WriteAllResult.TimedOut, Fd.WriteAll(w, big, stop.Handle, 20));
            stop.Set();
            Assert.Equal(WriteAllResult.Cancelled, Fd.WriteAll(w, big, stop.Handle, -1));
        }
    }

    [Fact]
    public void Write_all_reports_a_reader_that_went_away()
    {
        (SafeFd r, SafeFd w) = Fd.Pipe(nonBlocking: true);
        r.Dispose();
        using (w)
        {
            Assert.Equal(WriteAllResult.PeerGone, Fd.WriteAll(w, "x"u8, null, -1));
        }
    }
}
