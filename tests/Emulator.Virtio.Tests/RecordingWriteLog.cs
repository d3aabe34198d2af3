using Emulator.Memory;

namespace Emulator.Virtio.Tests;

/// <summary>Records each logged range with the used index visible at that moment, to check logging order.</summary>
internal sealed class RecordingWriteLog(GuestMemory memory, ulong usedRing) : IGuestWriteLog
{
    public List<(ulong Address, ulong Length, ushort UsedIdxAtLog)> Entries { get; } = [];

    public void LogWrite(ulong guestAddress, ulong length) =>
        Entries.Add((guestAddress, length, memory.LoadAcquireU16(usedRing + SplitRingLayout.IndexOffset)));
}
