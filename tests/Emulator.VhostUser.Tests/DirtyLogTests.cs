using Emulator.Posix;

namespace Emulator.VhostUser.Tests;

/// <summary>The bitmap alone: marking, clamping, harvesting exactly once, and the SET_LOG_BASE description rules.</summary>
public sealed class DirtyLogTests
{
    private const ulong Page = DirtyLog.PageSize;

    [Theory]
    [InlineData(0UL, 8UL)]
    [InlineData(1UL, 8UL)]
    [InlineData(64 * Page, 8UL)]
    [InlineData((64 * Page) + 1, 16UL)]
    [InlineData(0x100000UL, 32UL)]
    public void Size_is_one_bit_per_page_in_whole_words(ulong guestTop, ulong bytes) => Assert.Equal(bytes, DirtyLog.BytesFor(guestTop));

    [Fact]
    public void A_range_marks_every_page_it_touches_and_harvest_takes_them_once()
    {
        using DirtyLog log = DirtyLog.Create(0x100000);
        Assert.True(log.Mark((3 * Page) - 1, 2));
        Assert.True(log.Mark(70 * Page, (130 - 70) * Page));
        Assert.True(log.Mark(5 * Page, 0));

        IReadOnlyList<ulong> pages = log.Harvest();
        ulong[] expected = [.. new ulong[] { 2, 3 }.Concat(Enumerable.Range(70, 60).Select(p => (ulong)p)).Select(p => p * Page)];
        Assert.Equal(expected, pages);
        Assert.Empty(log.Harvest());
        Assert.Equal(0, log.DroppedMarks);
    }

    [Fact]
    public void A_range_past_a_tiny_log_is_clamped_and_counted()
    {
        using DirtyLog log = DirtyLog.Create(Page);
        Assert.Equal(64 * Page, log.CoveredBytes);
        Assert.False(log.Mark(63 * Page, 2 * Page));
        Assert.False(log.Mark(1UL << 40, 1));
        Assert.False(log.Mark(ulong.MaxValue - 10, 100));
        Assert.False(log.Mark(10, ulong.MaxValue));

        Assert.Equal(4, log.DroppedMarks);
        Assert.Equal(Enumerable.Range(0, 64).Select(p => (ulong)p * Page), log.Harvest());
    }

    [Fact]
    public void The_bitmap_layout_is_the_spec_s_byte_and_bit_order()
    {
        using DirtyLog log = DirtyLog.Create(0x100000);
        log.Mark(10 * Page, 1);
        using MemoryMapping peer = MemoryMapping.MapShared(log.Fd, 0, log.Description.MmapSize);
        Assert.Equal(1 << 2, peer.GetSpan(1, 1)[0]);
        Assert.True(log.IsDirty(10 * Page));
        Assert.False(log.IsDirty(11 * Page));
    }

    [Fact]
    public void Concurrent_markers_and_a_concurrent_harvester_see_every_page_exactly_once()
    {
        const int Threads = 4;
        const int PagesPerThread = 2000;
        using DirtyLog log = DirtyLog.Create(Threads * PagesPerThread * Page);
        int[] seen = new int[Threads * PagesPerThread];
        using var done = new CountdownEvent(Threads);
        var markers = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            // Interleaved pages, so threads share words.
            for (int i = 0; i < PagesPerThread; i++)
            {
                log.Mark((ulong)((i * Threads) + t) * Page, 1);
            }

            done.Signal();
        })).ToList();
        markers.ForEach(m => m.Start());

        void Count(ulong gpa) => Interlocked.Increment(ref seen[gpa / Page]);
        while (!done.IsSet)
        {
            log.Harvest(Count);
        }

        markers.ForEach(m => m.Join());
        log.Harvest(Count);
        Assert.All(seen, n => Assert.Equal(1, n));
    }

    [Fact]
    public void Random_ranges_mark_exactly_the_pages_a_reference_model_predicts()
    {
        var rng = new Random(26);
        using DirtyLog log = DirtyLog.Create(300 * Page);
        ulong pages = log.CoveredBytes / Page;
        for (int round = 0; round < 300; round++)
        {
            var expected = new SortedSet<ulong>();
            long droppedBefore = log.DroppedMarks;
            int dropped = 0;
            for (int i = 0; i < 8; i++)
            {
                ulong address = rng.Next(4) switch
                {
                    0 => (ulong)rng.NextInt64(),
                    1 => ulong.MaxValue - (ulong)rng.Next(0x10000),
                    _ => (ulong)rng.NextInt64((long)((pages + 4) * Page)),
                };
                ulong length = rng.Next(4) switch
                {
                    0 => (ulong)rng.NextInt64(),
                    1 => 0,
                    _ => (ulong)rng.Next(1, 0x30000),
                };

                bool whole = length == 0 || (address <= ulong.MaxValue - (length - 1) && (address + (length - 1)) / Page < pages);
                if (length != 0 && address / Page < pages)
                {
                    ulong last = address <= ulong.MaxValue - (length - 1) ? (address + length - 1) / Page : ulong.MaxValue / Page;
                    for (ulong p = address / Page; p <= Math.Min(last, pages - 1); p++)
                    {
                        expected.Add(p * Page);
                    }
                }

                Assert.Equal(whole, log.Mark(address, length));
                dropped += whole ? 0 : 1;
            }

            Assert.Equal(expected, log.Harvest());
            Assert.Equal(droppedBefore + dropped, log.DroppedMarks);
        }
    }

    [Theory]
    [InlineData(0UL, 0UL)]
    [InlineData(12UL, 0UL)]
    [InlineData(DirtyLog.MaxBytes + 8, 0UL)]
    [InlineData(8UL, 4UL)]
    [InlineData(8UL, ulong.MaxValue - 7)]
    [InlineData(0x1000UL, (ulong)long.MaxValue - 0x807)]
    public void Description_rules_refuse_bad_sizes_and_offsets(ulong size, ulong offset) =>
        Assert.Throws<VhostUserProtocolException>(() => DirtyLog.CheckDescription(new LogDescription(size, offset)));

    [Fact]
    public void From_fd_refuses_an_eventfd_a_short_file_and_an_unsealed_file()
    {
        using (var eventFd = new EventFd())
        {
            Assert.Contains("memfd", Assert.Throws<VhostUserProtocolException>(() => DirtyLog.FromFd(eventFd.Handle, new LogDescription(8, 0))).Message, StringComparison.Ordinal);
        }

        using DirtyLog ours = DirtyLog.Create(0x100000);
        Assert.Throws<VhostUserProtocolException>(() => DirtyLog.FromFd(ours.Fd, new LogDescription(ours.Description.MmapSize, 8)));
        Assert.Throws<VhostUserProtocolException>(() => DirtyLog.FromFd(ours.Fd, new LogDescription(ours.Description.MmapSize * 2, 0)));

        using SafeFd unsealed = MemFd.Create("unsealed-log", 4096, allowSealing: true);
        Assert.Contains("shrinking", Assert.Throws<VhostUserProtocolException>(() => DirtyLog.FromFd(unsealed, new LogDescription(8, 0))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_back_end_s_mapping_marks_what_the_front_end_harvests()
    {
        using DirtyLog frontend = DirtyLog.Create(0x100000);
        using DirtyLog backend = DirtyLog.FromFd(Fd.Duplicate(frontend.Fd), frontend.Description);
        backend.LogWrite(0x42000, 0x1001);
        Assert.Equal([0x42000UL, 0x43000UL], frontend.Harvest());
        Assert.False(backend.IsDirty(0x42000));
    }
}
