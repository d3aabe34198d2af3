namespace Emulator.Bench;

/// <summary>When the front-end sends the next kick.</summary>
public enum Pacing
{
    /// <summary>Right after the previous call, in one uninterrupted series (the steady streaming state).</summary>
    BackToBack,

    /// <summary>
    /// Back-to-back within bursts, with a pause between bursts in which both ends fall asleep: the
    /// scheduler then places their threads afresh, so the series samples several placements (one core
    /// shared or not, which decides the latency) instead of whichever the warm-up left.
    /// </summary>
    Bursts,

    /// <summary>After sleeping 1 or 2 ms, so the server's ring thread has gone back to sleep.</summary>
    IdleGaps,
}
