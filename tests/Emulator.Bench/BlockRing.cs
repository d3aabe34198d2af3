using System.Buffers.Binary;
using Emulator.Memory;
using Emulator.Posix;
using Emulator.VhostUser;
using Emulator.Virtio;
using Emulator.VirtioBlock;

namespace Emulator.Bench;

/// <summary>
/// The driver's side of one virtio-blk request queue in memfd-backed guest RAM shared with a vhost-user-blk
/// server: a fixed number of slots, each a three-descriptor read chain (header, data, status) laid out
/// once, so a request costs one header write and one avail entry, as in a guest driver.
/// </summary>
public sealed class BlockRing : IDisposable
{
    public const ushort QueueSize = 128;
    public const uint MaxRequestBytes = 1 << 20;
    public const uint SectorBytes = 512;

    private const ulong HeaderBytes = 16;
    private const ushort DescriptorsPerSlot = 3;
    private const int TimeoutMs = 20_000;

    private readonly GuestMemory _memory;
    private readonly MockSplitQueue _queue;
    private readonly EventFd _kick = new();
    private readonly EventFd _call = new();
    private readonly (ulong Header, ulong Data, ulong Status)[] _slots;

    /// <summary>Shares fresh guest RAM with the server and starts request queue 0 on it.</summary>
    public BlockRing(VhostUserFrontend frontend, int slots)
    {
        ArgumentNullException.ThrowIfNull(frontend);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(slots * DescriptorsPerSlot, QueueSize);
        ulong ram = (ulong)slots * (MaxRequestBytes + 4096) + (1 << 20);
        _memory = GuestMemory.Create((0, ram));
        _queue = new MockSplitQueue(_memory, 0, QueueSize);
        _slots = new (ulong, ulong, ulong)[slots];
        for (int s = 0; s < slots; s++)
        {
            _slots[s] = (_queue.Allocate(HeaderBytes), _queue.Allocate(MaxRequestBytes, 4096), _queue.Allocate(1));
        }

        frontend.SetMemTable(_memory);
        frontend.ConfigureQueue(0, _memory, QueueSize, _queue.DescTable, _queue.AvailRing, _queue.UsedRing, _kick, _call);
    }

    public int Slots => _slots.Length;

    /// <summary>Makes slot <paramref name="slot"/> a read of <paramref name="bytes"/> at <paramref name="sector"/> and puts it in the avail ring (no kick yet).</summary>
    public void SubmitRead(int slot, ulong sector, uint bytes)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bytes, MaxRequestBytes);
        (ulong header, ulong data, ulong status) = _slots[slot];
        Span<byte> request = stackalloc byte[(int)HeaderBytes];
        BinaryPrimitives.WriteUInt32LittleEndian(request, (uint)VirtioBlkRequestType.In);
        BinaryPrimitives.WriteUInt64LittleEndian(request[8..], sector);
        _memory.Write(header, request);
        _memory.Write<byte>(status, 0xff);
        ushort head = (ushort)(slot * DescriptorsPerSlot);
        _queue.WriteDescriptor(head, header, (uint)HeaderBytes, DescriptorFlags.Next, (ushort)(head + 1));
        _queue.WriteDescriptor((ushort)(head + 1), data, bytes, (ushort)(DescriptorFlags.Write | DescriptorFlags.Next), (ushort)(head + 2));
        _queue.WriteDescriptor((ushort)(head + 2), status, 1, DescriptorFlags.Write, 0);
        _queue.PublishAvail(head);
    }

    public void Kick() => _kick.Signal();

    /// <summary>What the last read completed in <paramref name="slot"/> put in its data buffer.</summary>
    public byte[] Data(int slot, uint bytes)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bytes, MaxRequestBytes);
        byte[] data = new byte[bytes];
        _memory.Read(_slots[slot].Data, data);
        return data;
    }

    /// <summary>Waits (bounded) for at least one completion; adds the slot of each one to <paramref name="completed"/>.</summary>
    public void WaitCompletions(List<int> completed)
    {
        ArgumentNullException.ThrowIfNull(completed);
        while (true)
        {
            while (_queue.TryGetUsed(out ushort id, out _))
            {
                int slot = id / DescriptorsPerSlot;
                if (id % DescriptorsPerSlot != 0 || slot >= _slots.Length)
                {
                    throw new InvalidOperationException($"the server completed descriptor {id}, which heads no request");
                }

                byte status = _memory.Read<byte>(_slots[slot].Status);
                if (status != (byte)VirtioBlkStatus.Ok)
                {
                    throw new InvalidOperationException($"a read completed with status {status}");
                }

                completed.Add(slot);
            }

            if (completed.Count > 0)
            {
                return;
            }

            // A call may be stale (its completion already taken above): then the loop simply waits again.
            if (!_call.Wait(TimeoutMs))
            {
                throw new TimeoutException($"no completion within {TimeoutMs} ms (used.idx is {_queue.UsedIndex})");
            }
        }
    }

    public void Dispose()
    {
        _kick.Dispose();
        _call.Dispose();
        _memory.Dispose();
    }
}
