using Emulator.Memory;
using Emulator.Posix;

namespace Emulator.VhostUser;

/// <summary>Sharing guest memory, the in-flight buffer and the back-end request channel.</summary>
public sealed partial class VhostUserFrontend
{
    /// <summary>Sends every region of <paramref name="memory"/> with its memfd (1 to 8 regions).</summary>
    public void SetMemTable(GuestMemory memory)
    {
        var table = new MemoryTable([.. memory.Regions.Select(Describe)]);
        int[] fds = [.. memory.Regions.Select(r => r.Fd.Number)];
        Post(FrontendRequest.SetMemTable, table.ToArray(), fds);
    }

    public ulong GetMaxMemSlots() => CallU64(FrontendRequest.GetMaxMemSlots);

    public void AddMemReg(GuestRegion region) =>
        Post(FrontendRequest.AddMemReg, SingleMemoryRegion.ToArray(Describe(region)), [region.Fd.Number]);

    public void RemMemReg(GuestRegion region) =>
        Post(FrontendRequest.RemMemReg, SingleMemoryRegion.ToArray(Describe(region)));

    /// <summary>Asks the back-end for a fresh in-flight buffer; the caller owns the returned fd and keeps it for reconnects.</summary>
    public (SafeFd Fd, InflightDescription Description) GetInflightFd(ushort numQueues, ushort queueSize)
    {
        var request = new InflightDescription(0, 0, numQueues, queueSize);
        using VhostUserMessage reply = Call(FrontendRequest.GetInflightFd, request.ToArray(), InflightDescription.Size, expectedFds: 1);
        InflightDescription d = InflightDescription.Parse(reply.Payload);
        if (d.NumQueues != numQueues || d.QueueSize != queueSize)
        {
            throw new VhostUserProtocolException($"GET_INFLIGHT_FD reply describes {d.NumQueues} queues of {d.QueueSize}, asked for {numQueues} of {queueSize}");
        }

        SafeFd fd = reply.TakeFd(0);
        ulong end = unchecked(d.MmapOffset + d.MmapSize);
        long size = Fd.GetSize(fd);
        if (end < d.MmapOffset || size < 0 || (ulong)size < end || d.MmapSize < InflightLayout.TotalSize(numQueues, queueSize))
        {
            fd.Dispose();
            throw new VhostUserProtocolException($"GET_INFLIGHT_FD reply's buffer (0x{d.MmapSize:x} at 0x{d.MmapOffset:x}, fd of 0x{size:x}) does not hold the log");
        }

        return (fd, d);
    }

    public void SetInflightFd(SafeFd fd, InflightDescription description) =>
        Post(FrontendRequest.SetInflightFd, description.ToArray(), [fd.Number]);

    /// <summary>Creates the back-end request channel, sends one end, and returns a listener on the other.</summary>
    public BackendRequestListener SetBackendReqFd(IReadOnlyList<VendorRequest>? vendor = null)
    {
        (SafeFd ours, SafeFd theirs) = UnixSocket.CreatePair();
        using (theirs)
        {
            try
            {
                Post(FrontendRequest.SetBackendReqFd, [], [theirs.Number]);
            }
            catch
            {
                ours.Dispose();
                throw;
            }
        }

        return new BackendRequestListener(ours, vendor);
    }

    /// <summary>The front-end virtual address (what ring addresses are given in) of a guest-physical one.</summary>
    public static ulong ToUserAddress(GuestMemory memory, ulong guestAddress)
    {
        GuestRegion region = memory.FindRegion(guestAddress)
            ?? throw new ArgumentOutOfRangeException(nameof(guestAddress), $"guest address 0x{guestAddress:x} is not RAM");
        return region.UserAddress + (guestAddress - region.GuestBase);
    }

    private static MemoryRegionDescription Describe(GuestRegion r) => new(r.GuestBase, r.Size, r.UserAddress, r.FdOffset);
}
