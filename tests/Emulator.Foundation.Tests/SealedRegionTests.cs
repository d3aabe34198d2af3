using Emulator.Memory;
using Emulator.Posix;

namespace Emulator.Foundation.Tests;

/// <summary>Memory from a peer is mapped only when the peer can no longer shrink it (no SIGBUS later).</summary>
public sealed class SealedRegionTests
{
    [Fact]
    public void A_memfd_sealed_against_shrinking_is_accepted()
    {
        using SafeFd fd = MemFd.Create("sealed", 8192);
        MemFd.AddSeals(fd, MemFdSeals.Shrink);
        Assert.True(MemFd.IsSealedAgainstShrinking(fd, out string problem));
        Assert.Empty(problem);
        using GuestRegion region = GuestRegion.FromFd(Fd.Duplicate(fd), 0, 8192, 0x7000_0000, 0);
        region.GetSpan(8191, 1)[0] = 1;

        // The seal is what makes the checked size stay true: the owner cannot truncate any more.
        PosixException e = Assert.Throws<PosixException>(() => Fd.Truncate(fd, 0));
        Assert.Equal(Errno.EPERM, e.Errno);
    }

    [Fact]
    public void A_shrinkable_memfd_is_refused_unless_explicitly_allowed()
    {
        using SafeFd fd = MemFd.Create("shrinkable", 8192);
        using SafeFd dup = Fd.Duplicate(fd);
        GuestMemoryException e = Assert.Throws<GuestMemoryException>(() => GuestRegion.FromFd(dup, 0, 8192, 0x7000_0000, 0));
        Assert.Contains("not sealed against shrinking", e.Message, StringComparison.Ordinal);
        Assert.False(dup.IsClosed);

        using GuestRegion trusted = GuestRegion.FromFd(Fd.Duplicate(fd), 0, 8192, 0x7000_0000, 0, allowUnsealed: true);
        Assert.Equal(8192UL, trusted.Size);
    }

    [Fact]
    public void A_memfd_created_without_sealing_is_refused()
    {
        using SafeFd fd = MemFd.Create("unsealable", 4096, allowSealing: false);
        Assert.True(MemFd.TryGetSeals(fd, out MemFdSeals seals));
        Assert.Equal(MemFdSeals.Seal, seals);
        Assert.Throws<GuestMemoryException>(() => GuestRegion.FromFd(fd, 0, 4096, 0x7000_0000, 0));
    }

    [Fact]
    public void A_file_that_cannot_carry_seals_is_refused_with_a_clear_reason()
    {
        string path = Path.Combine(Path.GetTempPath(), $"emu-seal-{Guid.NewGuid():N}");
        try
        {
            File.WriteAllBytes(path, new byte[4096]);
            using SafeFd fd = PosixFile.Open(path, OpenFlags.ReadWrite | OpenFlags.CloseOnExec);
            Assert.False(MemFd.TryGetSeals(fd, out _));
            Assert.False(MemFd.IsSealedAgainstShrinking(fd, out string problem));
            Assert.Contains("not a memfd", problem, StringComparison.Ordinal);
            GuestMemoryException e = Assert.Throws<GuestMemoryException>(() => GuestRegion.FromFd(fd, 0, 4096, 0x7000_0000, 0));
            Assert.Contains("not a memfd", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Regions_created_here_are_sealed_for_their_peers()
    {
        using GuestMemory memory = GuestMemory.Create((0, 4096));
        MemFdSeals seals = MemFd.GetSeals(memory.Regions[0].Fd);
        Assert.Equal(MemFdSeals.Shrink | MemFdSeals.Grow | MemFdSeals.Seal, seals);
    }
}
