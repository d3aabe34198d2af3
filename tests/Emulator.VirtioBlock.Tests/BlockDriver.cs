using System.Buffers.Binary;
using Emulator.Posix;
using Emulator.Virtio;

namespace Emulator.VirtioBlock.Tests;

/// <summary>The guest driver's side of one request queue: builds virtio-blk requests and waits for their completion.</summary>
internal sealed class BlockDriver
{
    private const int TimeoutMs = 20_000;

    public BlockDriver(MockSplitQueue queue, EventFd kick, EventFd call)
    {
        Queue = queue;
        Kick = kick;
        Call = call;
    }

    public MockSplitQueue Queue { get; }

    public EventFd Kick { get; }

    public EventFd Call { get; }

    public (VirtioBlkStatus Status, byte[] Data, uint UsedLength) Read(ulong sector, params uint[] lengths)
    {
        MockChain chain = Queue.AddChain([Requests.Header(VirtioBlkRequestType.In, sector)], [.. lengths, 1u]);
        uint total = (uint)lengths.Sum(l => l);
        uint used = Complete(chain);
        byte[] all = Queue.ReadWritten(chain, total + 1);
        return ((VirtioBlkStatus)all[^1], all[..^1], used);
    }

    public VirtioBlkStatus Write(ulong sector, params byte[][] data)
    {
        MockChain chain = Queue.AddChain([Requests.Header(VirtioBlkRequestType.Out, sector), .. data], [1u]);
        Complete(chain);
        return StatusOf(chain);
    }

    public VirtioBlkStatus Flush() => Simple(VirtioBlkRequestType.Flush);

    public VirtioBlkStatus Simple(VirtioBlkRequestType type, ulong sector = 0) => Submit([Requests.Header(type, sector)], [1u]);

    public VirtioBlkStatus RangeList(VirtioBlkRequestType type, params (ulong Sector, uint Count, uint Flags)[] segments) =>
        Submit([Requests.Header(type, 0), Requests.Segments(segments)], [1u]);

    public (VirtioBlkStatus Status, byte[] Id) GetId(uint length)
    {
        MockChain chain = Queue.AddChain([Requests.Header(VirtioBlkRequestType.GetId, 0)], [length, 1u]);
        Complete(chain);
        byte[] all = Queue.ReadWritten(chain, length + 1);
        return ((VirtioBlkStatus)all[^1], all[..^1]);
    }

    public VirtioBlkStatus Submit(byte[][] readable, uint[] writable)
    {
        MockChain chain = Queue.AddChain(readable, writable);
        Complete(chain);
        return StatusOf(chain);
    }

    /// <summary>Kicks and waits (bounded) for this chain to come back; returns its used length.</summary>
    public uint Complete(MockChain chain)
    {
        // As a driver with EVENT_IDX does: interrupt me when used.idx passes what I have seen.
        Queue.UsedEvent = Queue.UsedIndex;
        Kick.Signal();
        return WaitUsed(chain.Head);
    }

    public uint WaitUsed(ushort head)
    {
        Queue.UsedEvent = Queue.UsedIndex;
        long deadline = Environment.TickCount64 + TimeoutMs;
        while (true)
        {
            if (Queue.TryGetUsed(out ushort id, out uint length))
            {
                Assert.Equal(head, id);
                Queue.ResetAllocator();
                return length;
            }

            long left = deadline - Environment.TickCount64;
            Assert.True(left > 0, $"request {head} did not complete");
            Call.Wait((int)Math.Min(left, 100));
        }
    }

    public VirtioBlkStatus StatusOf(MockChain chain)
    {
        Descriptor last = chain.Writable[^1];
        return (VirtioBlkStatus)Queue.Memory.Read<byte>(last.Address + last.Length - 1);
    }

    public static uint U32(byte[] data, int offset) => BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(offset));
}
