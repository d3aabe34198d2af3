using System.Collections.Concurrent;
using Emulator.Memory;
using Emulator.Posix;
using Emulator.VhostUser;
using Emulator.Virtio;

namespace Emulator.VirtioBlock.Tests;

/// <summary>Every guest byte a request writes (data, id, status) is reported to the dirty-log hook before completion.</summary>
public sealed class WriteHookTests
{
    [Fact]
    public void Read_data_get_id_and_status_writes_are_all_reported()
    {
        var image = new MemoryBlockImage(1 << 20);
        image.Write(0, Requests.Pattern(4096, 1));
        using GuestMemory memory = GuestMemory.Create((0, 2 << 20));
        using var kick = new EventFd();
        using var call = new EventFd();
        var driver = new MockSplitQueue(memory, 0, 16);
        var setup = new VringSetup
        {
            Index = 0,
            Memory = memory,
            Size = driver.Size,
            DescriptorTable = driver.DescTable,
            AvailableRing = driver.AvailRing,
            UsedRing = driver.UsedRing,
            NextAvail = 0,
            Kick = kick,
            Call = call,
        };
        var limits = new BlockLimits { CapacitySectors = image.Size / 512 };
        var wrote = new ConcurrentQueue<(ulong Address, ulong Length)>();
        var queue = new BlockQueue(setup, image, new byte[20], false, () => limits, () => false, _ => { }, (a, l) => wrote.Enqueue((a, l)));
        queue.Start();
        try
        {
            var d = new BlockDriver(driver, kick, call);
            MockChain read = driver.AddChain([Requests.Header(VirtioBlkRequestType.In, 0)], [1024, 3072, 1]);
            d.Complete(read);
            MockChain id = driver.AddChain([Requests.Header(VirtioBlkRequestType.GetId, 0)], [20, 1]);
            d.Complete(id);

            foreach (Descriptor b in read.Writable.Concat(id.Writable))
            {
                Assert.Contains((b.Address, (ulong)b.Length), wrote);
            }
        }
        finally
        {
            queue.Stop();
        }
    }
}
