using Emulator.Posix;

namespace Emulator.Chardev;

/// <summary>
/// The wake-up protocol both sides of a <see cref="ByteRing"/> share, so wake-ups cost nothing
/// while both sides are busy: a side about to sleep raises its "waiting" flag and re-checks the
/// ring; the other side, after publishing its index, rings the doorbell only if that flag was up.
/// The full fences on both sides pair up, so no wake-up is lost.
/// </summary>
internal static class RingDoorbell
{
    /// <summary>After publishing an index: wakes the other side if it announced that it waits.</summary>
    public static void RingIfWaiting(ByteRing ring, int waitingOffset, EventFd doorbell)
    {
        // Store-load fence: our index store must be visible before we read the other side's flag,
        // pairing with its flag store before it re-reads our index.
        Interlocked.MemoryBarrier();
        ref uint waiting = ref ring.Field(waitingOffset);
        if (Volatile.Read(ref waiting) != 0 && Interlocked.Exchange(ref waiting, 0) != 0)
        {
            doorbell.Signal();
        }
    }

    /// <summary>
    /// Announces that we wait. Returns false if <paramref name="ready"/> already holds (nothing
    /// armed); true if armed: the doorbell will be rung by the other side's next publish.
    /// </summary>
    public static bool TryArm(ByteRing ring, int waitingOffset, Func<bool> ready)
    {
        ref uint waiting = ref ring.Field(waitingOffset);
        Volatile.Write(ref waiting, 1);
        Interlocked.MemoryBarrier();
        if (ready())
        {
            Interlocked.Exchange(ref waiting, 0);
            return false;
        }

        return true;
    }

    /// <summary>Withdraws an armed notification (a late signal may still arrive; waiters re-check).</summary>
    public static void Disarm(ByteRing ring, int waitingOffset) => Interlocked.Exchange(ref ring.Field(waitingOffset), 0);

    /// <summary>
    /// Blocks until <paramref name="ready"/> holds (true), <paramref name="timeoutMs"/> passes
    /// (-1 = forever) or <paramref name="cancel"/> becomes readable (false).
    /// </summary>
    public static bool Wait(ByteRing ring, int waitingOffset, EventFd doorbell, Func<bool> ready, int timeoutMs, SafeFd? cancel)
    {
        long deadline = RingWait.Deadline(timeoutMs);
        while (!ready())
        {
            if (!TryArm(ring, waitingOffset, ready))
            {
                return true;
            }

            RingWait.Outcome outcome = RingWait.Wait(doorbell, cancel, RingWait.Remaining(deadline));
            if (outcome != RingWait.Outcome.Signalled)
            {
                Disarm(ring, waitingOffset);
                return ready();
            }
        }

        return true;
    }
}
