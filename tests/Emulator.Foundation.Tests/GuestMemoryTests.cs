using Emulator.Tests.Shared;
using Emulator.Memory;
using Emulator.Posix;

namespace Emulator.Foundation.Tests;

public sealed class GuestMemoryTests
{
    [Fact]
    public void Reads_and_writes_cross_adjacent_regions()
    {
        using GuestMemory mem = GuestMemory.Create((0, 4096), (4096, 4096));
        byte[] data = [1, 2, 3, 4, 5, 6, 7, 8];
        mem.Write(4092, data);
        byte[] back = new byte[8];
        mem.Read(4092, back);
        Assert.Equal(data, back);
        Assert.False(mem.TryGetSpan(4092, 8, out _));
        Assert.True(mem.TryGetSpan(4096, 4, out Span<byte> second));
        Assert.Equal([5, 6, 7, 8], second.ToArray());
    }

    [Fact]
    public void A_gap_between_regions_fails_the_whole_access_and_copies_nothing()
    {
        using GuestMemory mem = GuestMemory.Create((0, 4096), (8192, 4096));
        mem.Write(4090, new byte[6]);
        Assert.Throws<GuestMemoryException>(() => mem.Write(4090, new byte[] { 9, 9, 9, 9, 9, 9, 9 }));
        Assert.Equal(0, mem.Read<byte>(4090));
        Assert.False(mem.IsValidRange(4095, 2));
        Assert.True(mem.IsValidRange(8192, 4096));
        Assert.False(mem.IsValidRange(8192, 4097));
    }

    [Theory]
    [InlineData(ulong.MaxValue, 2UL)]
    [InlineData(ulong.MaxValue - 1, ulong.MaxValue)]
    [InlineData(0UL, ulong.MaxValue)]
    public void Ranges_that_wrap_or_exceed_ram_are_rejected(ulong address, ulong length)
    {
        using GuestMemory mem = GuestMemory.Create((0, 4096));
        Assert.False(mem.IsValidRange(address, length));
        Assert.Throws<GuestMemoryException>(() => mem.Zero(address, length));
    }

    [Fact]
    public void Overlapping_regions_are_refused()
    {
        GuestRegion a = GuestRegion.Create("a", 0, 8192);
        GuestRegion b = GuestRegion.Create("b", 4096, 8192);
        try
        {
            Assert.Throws<GuestMemoryException>(() => new GuestMemory([a, b]));
        }
        finally
        {
            a.Dispose();
            b.Dispose();
        }
    }

    [Fact]
    public void Empty_and_wrapping_regions_are_refused()
    {
        Assert.Throws<GuestMemoryException>(() => GuestRegion.Create("empty", 0, 0));
        Assert.Throws<GuestMemoryException>(() => GuestRegion.Create("wrap", ulong.MaxValue - 100, 4096));
    }

    [Fact]
    public void A_region_from_a_peer_fd_must_fit_in_the_file()
    {
        using SafeFd fd = MemFd.Create("small", 4096);
        MemFd.AddSeals(fd, MemFdSeals.Shrink);
        using SafeFd dup1 = Fd.Duplicate(fd);
        Assert.Throws<GuestMemoryException>(() => GuestRegion.FromFd(dup1, 0, 4096, 0x7000_0000, 1));
        SafeFd dup2 = Fd.Duplicate(fd);
        Assert.Throws<GuestMemoryException>(() => GuestRegion.FromFd(dup2, 0, 8192, 0x7000_0000, 0));
        dup2.Dispose();
        SafeFd dup3 = Fd.Duplicate(fd);
        Assert.Throws<GuestMemoryException>(() => GuestRegion.FromFd(dup3, 0, 16, 0x7000_0000, ulong.MaxValue - 4));
        dup3.Dispose();
    }

    [Fact]
    public void A_peer_mapping_with_an_offset_sees_the_owner_s_bytes()
    {
        using GuestMemory owner = GuestMemory.Create((0x10_0000, 8192));
        GuestRegion src = owner.Regions[0];
        owner.Write(0x10_0000 + 4096 + 10, "peer"u8);
        using GuestRegion peer = GuestRegion.FromFd(Fd.Duplicate(src.Fd), 0x20_0000, 4096, 0x5000_0000, 4096);
        using GuestMemory peerMemory = new([peer]);
        byte[] buf = new byte[4];
        peerMemory.Read(0x20_0000 + 10, buf);
        Assert.Equal("peer"u8.ToArray(), buf);
        Assert.True(peerMemory.TryTranslateUserAddress(0x5000_0000 + 16, 8, out ulong gpa));
        Assert.Equal(0x20_0000UL + 16, gpa);
        Assert.False(peerMemory.TryTranslateUserAddress(0x5000_0000 + 4090, 8, out _));
    }

    [Fact]
    public void Atomic_ring_accessors_require_alignment_and_ram()
    {
        using GuestMemory mem = GuestMemory.Create((0, 4096));
        mem.StoreReleaseU16(2, 0xBEEF);
        Assert.Equal(0xBEEF, mem.LoadAcquireU16(2));
        Assert.Equal(0xBEEF, mem.ReadU16(2));
        Assert.Throws<GuestMemoryException>(() => mem.LoadAcquireU16(3));
        Assert.Throws<GuestMemoryException>(() => mem.LoadAcquireU32(4096));
        mem.StoreReleaseU32(8, 0x12345678);
        Assert.Equal(0x12345678u, mem.ReadU32(8));
        mem.Write<ulong>(16, 0x1122334455667788);
        Assert.Equal(0x1122334455667788UL, mem.ReadU64(16));
    }

    [Fact]

    [Trait("Category", FuzzBudget.Category)]
    public void Random_accesses_match_a_flat_reference_model()
    {
        // Two regions with a hole; the model is a flat array where the hole is "unbacked".
        const ulong Hole = 12288;
        using GuestMemory mem = GuestMemory.Create((0, 8192), (8192, 4096), (Hole + 4096, 4096));
        byte[] model = new byte[Hole + 8192];
        bool Backed(ulong a) => a < Hole || (a >= Hole + 4096 && a < Hole + 8192);
        Random rng = new(1234);
        for (int i = 0, n = FuzzBudget.Iterations(20_000); i < n; i++)
        {
            ulong addr = rng.Next(4) == 0 ? (ulong)rng.NextInt64() : (ulong)rng.Next(0, (int)Hole + 9000);
            int len = rng.Next(0, 300);
            bool expectOk = true;
            for (ulong k = 0; k < (ulong)len; k++)
            {
                if (addr + k < addr || !Backed(addr + k))
                {
                    expectOk = false;
                    break;
                }
            }

            if (rng.Next(2) == 0)
            {
                byte[] data = new byte[len];
                rng.NextBytes(data);
                Assert.Equal(expectOk, mem.TryWrite(addr, data));
                if (expectOk && len > 0)
                {
                    data.CopyTo(model, (int)addr);
                }
            }
            else
            {
                byte[] data = new byte[len];
                Assert.Equal(expectOk, mem.TryRead(addr, data));
                if (expectOk && len > 0)
                {
                    Assert.Equal(model.AsSpan((int)addr, len).ToArray(), data);
                }
            }
        }
    }
}
