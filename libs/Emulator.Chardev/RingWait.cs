using Emulator.Posix;

namespace Emulator.Chardev;

/// <summary>Blocks on a ring's eventfd and an optional cancel descriptor; shared by producer and consumer.</summary>
internal static class RingWait
{
    public enum Outcome
    {
        Signalled,
        TimedOut,
        Cancelled,
    }

    public static Outcome Wait(EventFd signal, SafeFd? cancel, int timeoutMs)
    {
        Span<PollFd> fds = [new PollFd(signal.Handle.Number, PollEvents.In), new PollFd(cancel?.Number ?? -1, PollEvents.In)];
        int n = Poller.Wait(cancel is null ? fds[..1] : fds, timeoutMs);
        if (n == 0)
        {
            return Outcome.TimedOut;
        }

        if (cancel is not null && fds[1].Revents != 0)
        {
            return Outcome.Cancelled;
        }

        signal.TryConsume(out _);
        return Outcome.Signalled;
    }

    /// <summary>Milliseconds left until <paramref name="deadline"/> (a TickCount64), -1 for "forever".</summary>
    public static int Remaining(long deadline) =>
        deadline == long.MaxValue ? -1 : (int)Math.Clamp(deadline - Environment.TickCount64, 0, int.MaxValue);

    public static long Deadline(int timeoutMs) =>
        timeoutMs < 0 ? long.MaxValue : Environment.TickCount64 + timeoutMs;
}
