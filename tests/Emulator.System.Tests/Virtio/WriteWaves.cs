using System.Buffers.Binary;
using Emulator.Virtio;
using Emulator.VirtioBlock;

namespace Emulator.System.Tests.Virtio;

/// <summary>
/// Waves of 64 KiB virtio-blk writes through one ring, each write at its own offset with its own bytes, so a
/// test that kills the server mid-wave can check that every write completed exactly once and reached the image.
/// </summary>
internal static class WriteWaves
{
    public const int RequestSize = 64 * 1024;
    private const int SectorSize = 512;

    /// <summary>Adds the wave's writes to the ring (not yet notified); returns them by head.</summary>
    public static Dictionary<ushort, MockChain> Add(MockSplitQueue ring, int wave, int perWave)
    {
        ring.ResetAllocator();
        var outstanding = new Dictionary<ushort, MockChain>();
        for (int i = 0; i < perWave; i++)
        {
            int request = (wave * perWave) + i;
            MockChain chain = ring.AddChain([Header((ulong)request * (RequestSize / SectorSize)), RequestData(request)], [1u]);
            outstanding.Add(chain.Head, chain);
        }

        return outstanding;
    }

    /// <summary>
    /// Returns once the first request after <paramref name="before"/> is back: the server is writing the next
    /// ones. A busy wait: a yielding one sleeps through the whole wave.
    /// </summary>
    public static void AwaitFirstCompletion(MockSplitQueue ring, ushort before)
    {
        long deadline = Environment.TickCount64 + 30_000;
        while (ring.UsedIndex == before && Environment.TickCount64 < deadline)
        {
            Thread.SpinWait(20);
        }
    }

    /// <summary>Every request of the wave comes back exactly once, with one status byte, OK; nothing else does.</summary>
    public static void CollectAll(MockSplitQueue ring, Dictionary<ushort, MockChain> outstanding, int wave, Func<string> log)
    {
        long deadline = Environment.TickCount64 + 60_000;
        while (outstanding.Count > 0)
        {
            if (ring.TryGetUsed(out ushort id, out uint length))
            {
                Assert.True(outstanding.Remove(id, out MockChain? chain), $"wave {wave}: used element for head {id}, which is not outstanding");
                Assert.Equal(1u, length);
                Assert.Equal((byte)VirtioBlkStatus.Ok, ring.ReadWritten(chain, 1)[0]);
                continue;
            }

            Assert.True(Environment.TickCount64 < deadline, $"wave {wave}: {outstanding.Count} request(s) never completed; log: {log()}");
            Thread.Sleep(1);
        }
    }

    /// <summary>Each of the first <paramref name="requests"/> writes is in <paramref name="disk"/> at its offset.</summary>
    public static void AssertInImage(byte[] disk, int requests)
    {
        for (int request = 0; request < requests; request++)
        {
            Assert.True(RequestData(request).AsSpan().SequenceEqual(disk.AsSpan(request * RequestSize, RequestSize)), $"write {request} is not in the image");
        }
    }

    private static byte[] Header(ulong sector)
    {
        byte[] header = new byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)VirtioBlkRequestType.Out);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(8), sector);
        return header;
    }

    /// <summary>Each write's own bytes: its number, then a pattern seeded by it.</summary>
    private static byte[] RequestData(int request)
    {
        byte[] data = new byte[RequestSize];
        new Random(request).NextBytes(data);
        BinaryPrimitives.WriteInt32LittleEndian(data, request);
        return data;
    }
}
