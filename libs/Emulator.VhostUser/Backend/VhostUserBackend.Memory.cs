using Emulator.Memory;
using Emulator.Posix;

namespace Emulator.VhostUser;

/// <summary>
/// Guest memory from the front-end: SET_MEM_TABLE replaces the whole table, ADD/REM_MEM_REG change one
/// region. Each region's fd must be sealed against shrinking (unless <see cref="VhostUserBackendOptions.AllowUnsealedMemory"/>)
/// and big enough for mmap_offset + size (both checked in GuestRegion.FromFd); regions may overlap neither in
/// guest-physical nor in front-end virtual addresses. Rings are stopped while the table changes and restarted
/// on the new one. If stopping the rings fails, the new table is released and the old one stays.
/// </summary>
public sealed partial class VhostUserBackend
{
    private GuestMemory? _memory;

    private void SetMemTable(VhostUserMessage m)
    {
        MemoryTable table = MemoryTable.Parse(m.Payload);
        List<GuestRegion> regions = [];
        GuestMemory? memory = null;
        try
        {
            for (int i = 0; i < table.Regions.Count; i++)
            {
                regions.Add(MapRegion(m, i, table.Regions[i]));
            }

            memory = NewMemory(regions);
        }
        finally
        {
            if (memory is null)
            {
                regions.ForEach(r => r.Dispose());
            }
        }

        GuestMemory? old = _memory;
        try
        {
            WithRingsStopped(() => _memory = memory);
        }
        finally
        {
            if (ReferenceEquals(_memory, memory))
            {
                // Every ring is stopped or running on the new table by now, so the old one is unused.
                old?.Dispose();
            }
            else
            {
                // The rings could not be stopped, so the table was never switched: nothing uses the new one.
                memory.Dispose();
            }
        }
    }

    private void GetMaxMemSlots(VhostUserMessage m)
    {
        Require(VhostUserProtocolFeatures.ConfigureMemSlots, FrontendRequest.GetMaxMemSlots);
        Reply(m, U64Payload.ToArray(VhostUserLimits.MaxMemSlots));
    }

    private void AddMemReg(VhostUserMessage m)
    {
        Require(VhostUserProtocolFeatures.ConfigureMemSlots, FrontendRequest.AddMemReg);
        IReadOnlyList<GuestRegion> existing = _memory?.Regions ?? [];
        if (existing.Count >= VhostUserLimits.MaxMemSlots)
        {
            throw new VhostUserProtocolException($"ADD_MEM_REG: all {VhostUserLimits.MaxMemSlots} memory slots are in use");
        }

        GuestRegion added = MapRegion(m, 0, SingleMemoryRegion.Parse(m.Payload));
        GuestMemory memory;
        try
        {
            memory = NewMemory([.. existing, added]);
        }
        catch
        {
            added.Dispose();
            throw;
        }

        // The old GuestMemory shares its regions with the new one, so it is dropped, not disposed; if the
        // switch never happened, only the added region is ours to release.
        try
        {
            WithRingsStopped(() => _memory = memory);
        }
        finally
        {
            if (!ReferenceEquals(_memory, memory))
            {
                added.Dispose();
            }
        }
    }

    private void RemMemReg(VhostUserMessage m)
    {
        Require(VhostUserProtocolFeatures.ConfigureMemSlots, FrontendRequest.RemMemReg);
        MemoryRegionDescription d = SingleMemoryRegion.Parse(m.Payload);
        IReadOnlyList<GuestRegion> existing = _memory?.Regions ?? [];
        GuestRegion removed = existing.FirstOrDefault(r => r.GuestBase == d.GuestAddress && r.Size == d.Size && r.UserAddress == d.UserAddress)
            ?? throw new VhostUserProtocolException($"REM_MEM_REG: no region at guest 0x{d.GuestAddress:x} / user 0x{d.UserAddress:x} of size 0x{d.Size:x}");

        GuestMemory memory = NewMemory([.. existing.Where(r => r != removed)]);
        try
        {
            WithRingsStopped(() => _memory = memory);
        }
        finally
        {
            if (ReferenceEquals(_memory, memory))
            {
                removed.Dispose();
            }
        }
    }

    /// <summary>Maps region <paramref name="i"/> of a message; the fd moves into the region only on success.</summary>
    private GuestRegion MapRegion(VhostUserMessage m, int i, MemoryRegionDescription d)
    {
        if (d.Size == 0)
        {
            throw new VhostUserProtocolException($"memory region {i} is empty");
        }

        SafeFd fd = m.PeekFd(i);
        GuestRegion region = GuestRegion.FromFd(fd, d.GuestAddress, d.Size, d.UserAddress, d.MmapOffset, _options.AllowUnsealedMemory);
        m.TakeFd(i);
        return region;
    }

    /// <summary>A memory map over <paramref name="regions"/> (not taking ownership on failure).</summary>
    private static GuestMemory NewMemory(IReadOnlyList<GuestRegion> regions)
    {
        GuestRegion[] byUser = [.. regions.OrderBy(r => r.UserAddress)];
        for (int i = 1; i < byUser.Length; i++)
        {
            if (byUser[i].UserAddress - byUser[i - 1].UserAddress < byUser[i - 1].Size)
            {
                throw new VhostUserProtocolException(
                    $"memory regions at user addresses 0x{byUser[i - 1].UserAddress:x} and 0x{byUser[i].UserAddress:x} overlap");
            }
        }

        return new GuestMemory(regions);
    }
}
