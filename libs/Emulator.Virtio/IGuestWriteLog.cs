namespace Emulator.Virtio;

/// <summary>
/// Where a queue records the guest-physical bytes the device wrote (vhost-user's dirty log), so that a
/// consumer (migration, or the CPU process invalidating decoded code) learns which pages changed.
/// A queue logs a write after the bytes are in guest memory and before used.idx makes them visible,
/// so whoever observes the used index (or the call eventfd that follows it) also finds the log entry.
/// Called from ring threads concurrently: implementations must be thread-safe and must not throw for
/// any address or length (a range they cannot record is theirs to clamp and count).
/// </summary>
public interface IGuestWriteLog
{
    void LogWrite(ulong guestAddress, ulong length);
}
