namespace Emulator.Posix;

/// <summary>How an interruptible <see cref="Fd.WriteAll(SafeFd, ReadOnlySpan{byte}, SafeFd?, int)"/> ended.</summary>
public enum WriteAllResult
{
    /// <summary>Every byte was written.</summary>
    Written,

    /// <summary>The cancel descriptor became readable while the write waited for room.</summary>
    Cancelled,

    /// <summary>The timeout passed before every byte was written.</summary>
    TimedOut,

    /// <summary>The reader went away (EPIPE, EIO, ECONNRESET, or hang-up/error with no room).</summary>
    PeerGone,
}
