using Emulator.Memory;
using Emulator.Posix;

namespace Emulator.VhostUser.Tests;

/// <summary>
/// A tiny driver side of a split ring for tests (no dependency on Emulator.Virtio): lays out the
/// descriptor table, avail and used rings at a guest address, adds chains and waits for used entries.
/// </summary>
internal sealed class DriverRing
{
    private readonly GuestMemory _memory;
    private ushort _nextDescriptor;
    private ushort _availIdx;

    public DriverRing(GuestMemory memory, ulong baseAddress, ushort size)
    {
        _memory = memory;
        Size = size;
        DescriptorTable = baseAddress;
        AvailableRing = baseAddress + (16UL * size);
        UsedRing = (AvailableRing + 6 + (2UL * size) + 3) & ~3UL;
        memory.Zero(baseAddress, UsedRing + 6 + (8UL * size) - baseAddress);
    }

    public ushort Size { get; }

    public ulong DescriptorTable { get; }

    public ulong AvailableRing { get; }

    public ulong UsedRing { get; }

    public ushort AvailIdx => _availIdx;

    public ushort UsedIdx => _memory.LoadAcquireU16(UsedRing + 2);

    /// <summary>Writes a chain of (address, length, device-writable) buffers and publishes its head.</summary>
    public ushort AddChain(params (ulong Address, uint Length, bool Writable)[] buffers)
    {
        ushort head = _nextDescriptor;
        for (int i = 0; i < buffers.Length; i++)
        {
            ushort index = (ushort)((head + i) % Size);
            ulong d = DescriptorTable + (16UL * index);
            bool last = i == buffers.Length - 1;
            _memory.Write(d, buffers[i].Address);
            _memory.Write(d + 8, buffers[i].Length);
            _memory.Write(d + 12, (ushort)((last ? 0 : 1) | (buffers[i].Writable ? 2 : 0)));
            _memory.Write(d + 14, (ushort)((index + 1) % Size));
        }

        _nextDescriptor = (ushort)((head + buffers.Length) % Size);
        _memory.Write(AvailableRing + 4 + (2UL * (ulong)(_availIdx % Size)), head);
        _availIdx++;
        _memory.StoreReleaseU16(AvailableRing + 2, _availIdx);
        return head;
    }

    /// <summary>Waits (bounded) until the used index reaches <paramref name="target"/>, consuming call signals.</summary>
    public bool WaitForUsed(ushort target, EventFd? call, int timeoutMs = 10_000)
    {
        long deadline = Environment.TickCount64 + timeoutMs;
        while (UsedIdx != target)
        {
            long left = deadline - Environment.TickCount64;
            if (left <= 0)
            {
                return false;
            }

            if (call is null)
            {
                Thread.Sleep(1);
            }
            else
            {
                call.Wait((int)Math.Min(left, 100));
            }
        }

        return true;
    }

    public (uint Id, uint Length) UsedElement(ushort i)
    {
        ulong e = UsedRing + 4 + (8UL * (ulong)(i % Size));
        return (_memory.ReadU32(e), _memory.ReadU32(e + 4));
    }
}
