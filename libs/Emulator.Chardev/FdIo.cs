using Emulator.Posix;

namespace Emulator.Chardev;

/// <summary>Interruptible whole-buffer writes on a non-blocking descriptor.</summary>
internal static class FdIo
{
    public enum WriteOutcome
    {
        Written,
        Stopped,
        PeerGone,
    }

    /// <summary>
    /// Writes all of <paramref name="data"/>, polling for room when the descriptor is full.
    /// Stops early when <paramref name="stop"/> is set or the reader went away (EPIPE, EIO, hang-up).
    /// </summary>
    public static WriteOutcome WriteAll(SafeFd fd, ReadOnlySpan<byte> data, StopSignal stop)
    {
        while (!data.IsEmpty)
        {
            int n;
            try
            {
                n = Fd.Write(fd, data);
            }
            catch (PosixException e) when (e.Errno is Errno.EPIPE or Errno.EIO or Errno.ECONNRESET)
            {
                return WriteOutcome.PeerGone;
            }

            if (n > 0)
            {
                data = data[n..];
                continue;
            }

            int revents = stop.Wait(fd, PollEvents.Out, -1);
            if (revents < 0)
            {
                return WriteOutcome.Stopped;
            }

            if ((revents & PollEvents.Out) == 0 && (revents & (PollEvents.Hup | PollEvents.Err)) != 0)
            {
                return WriteOutcome.PeerGone;
            }
        }

        return WriteOutcome.Written;
    }
}
