using Emulator.Memory;
using Emulator.Posix;

namespace Emulator.VhostUser.Tests;

/// <summary>SET_LOG_BASE over a socketpair: refusals end the session cleanly; a device's writes land in the log before the call.</summary>
public sealed class DirtyLogProtocolTests
{
    private const VhostUserProtocolFeatures Wanted = VhostUserBackend.ImplementedProtocolFeatures | VhostUserProtocolFeatures.LogShmfd;

    [Fact]
    public void Log_all_is_offered_with_log_shmfd_and_hidden_from_the_device()
    {
        using var s = new BackendSession(new FillDevice());
        NegotiatedFeatures n = s.Frontend.Negotiate(ulong.MaxValue, Wanted);
        Assert.NotEqual(0UL, n.Features & VhostUserFeatureBits.LogAll);
        Assert.True(s.Frontend.DirtyLogNegotiated);
    }

    [Fact]
    public void Log_base_with_an_eventfd_is_refused()
    {
        using var s = new BackendSession(new FillDevice());
        s.Frontend.Negotiate(ulong.MaxValue, Wanted);
        using var fd = new EventFd();
        s.SendRaw(FrontendRequest.SetLogBase, new LogDescription(8, 0).ToArray(), [fd.Handle.Number]);
        Assert.Contains("memfd", s.AssertRejected().Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Log_base_larger_than_its_fd_is_refused()
    {
        using var s = new BackendSession(new FillDevice());
        s.Frontend.Negotiate(ulong.MaxValue, Wanted);
        using DirtyLog log = DirtyLog.Create(0x100000);
        s.SendRaw(FrontendRequest.SetLogBase, new LogDescription(0x10000, 0).ToArray(), [log.Fd.Number]);
        s.AssertRejected();
    }

    [Fact]
    public void Log_base_whose_offset_overflows_is_refused()
    {
        using var s = new BackendSession(new FillDevice());
        s.Frontend.Negotiate(ulong.MaxValue, Wanted);
        using DirtyLog log = DirtyLog.Create(0x100000);
        s.SendRaw(FrontendRequest.SetLogBase, new LogDescription(32, ulong.MaxValue - 15).ToArray(), [log.Fd.Number]);
        Assert.Contains("overflows", s.AssertRejected().Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Log_base_without_log_shmfd_is_refused()
    {
        using var s = new BackendSession(new FillDevice());
        s.Frontend.Negotiate(ulong.MaxValue, VhostUserBackend.ImplementedProtocolFeatures);
        using DirtyLog log = DirtyLog.Create(0x100000);
        s.SendRaw(FrontendRequest.SetLogBase, log.Description.ToArray(), [log.Fd.Number]);
        Assert.Contains("LogShmfd", s.AssertRejected().Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Buffer_pages_and_the_used_ring_page_are_logged_before_the_call()
    {
        using var s = new BackendSession(new FillDevice());
        using GuestMemory memory = TestMemory.OneRegion();
        using var kick = new EventFd();
        using var call = new EventFd();
        s.Frontend.Negotiate(ulong.MaxValue, Wanted);
        s.Frontend.SetMemTable(memory);
        using DirtyLog log = s.Frontend.EnableDirtyLog(memory);
        Assert.Same(log, s.Frontend.DirtyLog);
        var ring = new DriverRing(memory, TestMemory.RingBase, 64);
        s.Frontend.ConfigureQueue(0, memory, ring.Size, ring.DescriptorTable, ring.AvailableRing, ring.UsedRing, kick, call);
        Assert.Empty(log.Harvest());

        // 0x200 bytes across the 0x10000/0x11000 boundary, then 16 bytes at 0x20000; a readable buffer first.
        ring.AddChain((0x30000, 16, false), (0x10F00, 0x200, true), (0x20000, 16, true));
        kick.Signal();

        // The CPU process's order: wait for the call, harvest, then (there) invalidate and inject.
        Assert.True(call.Wait(10_000));
        Assert.Equal(1, ring.UsedIdx);
        IReadOnlyList<ulong> pages = log.Harvest();
        Assert.Equal([ring.UsedRing & ~(DirtyLog.PageSize - 1), 0x10000UL, 0x11000UL, 0x20000UL], pages);
        Assert.Equal((byte)0xAB, memory.Read<byte>(0x110FF));
        Assert.Equal(0, log.DroppedMarks);
    }

    [Fact]
    public void Without_log_all_nothing_is_logged()
    {
        var device = new FillDevice();
        using var s = new BackendSession(device);
        using GuestMemory memory = TestMemory.OneRegion();
        using var kick = new EventFd();
        using var call = new EventFd();
        s.Frontend.Negotiate(~VhostUserFeatureBits.LogAll, Wanted);
        Assert.False(s.Frontend.DirtyLogNegotiated);
        s.Frontend.SetMemTable(memory);
        using DirtyLog log = DirtyLog.ForMemory(memory);
        s.Frontend.SetLogBase(log);
        var ring = new DriverRing(memory, TestMemory.RingBase, 64);
        s.Frontend.ConfigureQueue(0, memory, ring.Size, ring.DescriptorTable, ring.AvailableRing, ring.UsedRing, kick, call);

        ring.AddChain((0x10000, 64, true));
        kick.Signal();
        Assert.True(ring.WaitForUsed(1, call));
        Assert.Null(device.LastSetup?.WriteLog);
        Assert.Empty(log.Harvest());
    }

    [Fact]
    public void A_new_log_replaces_the_old_one_while_the_ring_runs()
    {
        using var s = new BackendSession(new FillDevice());
        using GuestMemory memory = TestMemory.OneRegion();
        using var kick = new EventFd();
        using var call = new EventFd();
        s.Frontend.Negotiate(ulong.MaxValue, Wanted);
        s.Frontend.SetMemTable(memory);
        using DirtyLog first = s.Frontend.EnableDirtyLog(memory);
        var ring = new DriverRing(memory, TestMemory.RingBase, 64);
        s.Frontend.ConfigureQueue(0, memory, ring.Size, ring.DescriptorTable, ring.AvailableRing, ring.UsedRing, kick, call);
        ring.AddChain((0x40000, 8, true));
        kick.Signal();
        Assert.True(ring.WaitForUsed(1, call));

        using DirtyLog second = s.Frontend.EnableDirtyLog(memory);
        ring.AddChain((0x50000, 8, true));
        kick.Signal();
        Assert.True(ring.WaitForUsed(2, call));

        Assert.Contains(0x40000UL, first.Harvest());
        IReadOnlyList<ulong> pages = second.Harvest();
        Assert.Contains(0x50000UL, pages);
        Assert.DoesNotContain(0x40000UL, pages);
    }
}
