using Emulator.Memory;
using Emulator.Posix;

namespace Emulator.VhostUser.Tests;

/// <summary>
/// Memory the front-end shares must be sealed against shrinking, or it could truncate the file later and
/// kill the back-end with SIGBUS. Unsealed memory is accepted only with an explicit option.
/// </summary>
public sealed class SealedMemoryTests
{
    private const ulong UserAddress = 0x7000_0000_0000;

    [Fact]
    public void Memory_table_with_a_shrinkable_memfd_is_refused()
    {
        using var s = new BackendSession();
        using SafeFd fd = MemFd.Create("shrinkable-ram", 0x10000);
        var table = new MemoryTable([new MemoryRegionDescription(0, 0x10000, UserAddress, 0)]);
        s.SendRaw(FrontendRequest.SetMemTable, table.ToArray(), [fd.Number]);
        Assert.Contains("not sealed against shrinking", s.AssertRejected().Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Memory_table_with_a_descriptor_that_cannot_be_sealed_is_refused()
    {
        using var s = new BackendSession();
        string path = Path.Combine(Path.GetTempPath(), $"emu-ram-{Guid.NewGuid():N}");
        try
        {
            File.WriteAllBytes(path, new byte[0x10000]);
            using SafeFd fd = PosixFile.Open(path, OpenFlags.ReadWrite | OpenFlags.CloseOnExec);
            var table = new MemoryTable([new MemoryRegionDescription(0, 0x10000, UserAddress, 0)]);
            s.SendRaw(FrontendRequest.SetMemTable, table.ToArray(), [fd.Number]);
            Assert.Contains("not a memfd", s.AssertRejected().Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Added_region_with_a_shrinkable_memfd_is_refused()
    {
        using var s = new BackendSession();
        s.Negotiate();
        using SafeFd fd = MemFd.Create("shrinkable-slot", 0x10000);
        byte[] payload = SingleMemoryRegion.ToArray(new MemoryRegionDescription(0, 0x10000, UserAddress, 0));
        s.SendRaw(FrontendRequest.AddMemReg, payload, [fd.Number]);
        Assert.Contains("not sealed against shrinking", s.AssertRejected().Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unsealed_memory_is_accepted_when_the_session_allows_it()
    {
        using var s = new BackendSession(options: new VhostUserBackendOptions { AllowUnsealedMemory = true });
        s.Negotiate();
        using SafeFd fd = MemFd.Create("trusted-ram", 0x10000);
        var table = new MemoryTable([new MemoryRegionDescription(0, 0x10000, UserAddress, 0)]);
        s.SendRaw(FrontendRequest.SetMemTable, table.ToArray(), [fd.Number]);

        // The session is still there (a refusal would have closed it).
        Assert.Equal(2UL, s.Frontend.GetQueueNum());
        Assert.False(s.HasEnded);
    }

    [Fact]
    public void Inflight_buffer_with_a_shrinkable_memfd_is_refused()
    {
        using var s = new BackendSession();
        s.Negotiate();
        var d = new InflightDescription(InflightLayout.TotalSize(1, 16), 0, 1, 16);
        using SafeFd fd = MemFd.Create("shrinkable-inflight", (long)d.MmapSize);
        Assert.Contains("not sealed against shrinking", s.ExpectRejection(() => s.Frontend.SetInflightFd(fd, d)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unsealed_inflight_buffer_is_accepted_when_the_session_allows_it()
    {
        using var s = new BackendSession(options: new VhostUserBackendOptions { AllowUnsealedMemory = true });
        s.Negotiate();
        var d = new InflightDescription(InflightLayout.TotalSize(1, 16), 0, 1, 16);
        using SafeFd fd = MemFd.Create("trusted-inflight", (long)d.MmapSize);
        s.Frontend.SetInflightFd(fd, d);
        Assert.Equal(2UL, s.Frontend.GetQueueNum());
    }

    [Fact]
    public void The_back_end_s_own_inflight_buffer_is_sealed()
    {
        using var s = new BackendSession();
        s.Negotiate();
        (SafeFd fd, InflightDescription d) = s.Frontend.GetInflightFd(2, 16);
        using (fd)
        {
            Assert.Equal(MemFdSeals.Shrink | MemFdSeals.Grow | MemFdSeals.Seal, MemFd.GetSeals(fd));
            Assert.True(d.MmapSize >= InflightLayout.TotalSize(2, 16));
        }
    }

    [Fact]
    public void Adopting_an_inflight_buffer_directly_checks_the_seal_too()
    {
        var d = new InflightDescription(InflightLayout.TotalSize(1, 8), 0, 1, 8);
        using SafeFd fd = MemFd.Create("direct-inflight", (long)d.MmapSize);
        VhostUserProtocolException e = Assert.Throws<VhostUserProtocolException>(() => InflightRegion.FromFd(fd, d));
        Assert.Contains("not sealed against shrinking", e.Message, StringComparison.Ordinal);
        Assert.False(fd.IsClosed);

        using InflightRegion trusted = InflightRegion.FromFd(Fd.Duplicate(fd), d, allowUnsealed: true);
        trusted.Queues[0].Begin(3);
        Assert.Equal(new ushort[] { 3 }, trusted.Queues[0].PendingInCounterOrder());
    }

    [Fact]
    public void Guest_memory_from_this_process_passes_the_seal_check()
    {
        using var s = new BackendSession();
        using GuestMemory memory = TestMemory.OneRegion();
        s.Negotiate();
        s.Frontend.SetMemTable(memory);
        Assert.Equal(2UL, s.Frontend.GetQueueNum());
    }
}
