using System.Buffers.Binary;

namespace Emulator.Block;

/// <summary>
/// The host file under a qcow2 image, with the write ordering qcow2 needs. Metadata reaches the page
/// cache at once (so a killed process loses nothing), and <see cref="Barrier"/> is an fdatasync placed
/// where QEMU orders its caches: refcounts before the L2 entry that uses the cluster, a new L2 table
/// before the L1 entry that points at it, an L2 entry's removal before the refcount drop. A host crash
/// then leaks clusters at worst, never leaves an entry pointing at an unreferenced cluster.
/// </summary>
internal sealed class Qcow2Storage(HostFile file, int clusterBits)
{
    private bool metadataUnsynced;

    public HostFile File => file;

    public int ClusterBits => clusterBits;

    public ulong ClusterSize => 1UL << clusterBits;

    /// <summary>One past the last byte the file holds or we wrote: offsets at or past it are corrupt references.</summary>
    public ulong HostEnd { get; private set; } = (ulong)file.Length;

    public void Read(ulong offset, Span<byte> destination) => file.ReadAt((long)offset, destination);

    public void WriteData(ulong offset, ReadOnlySpan<byte> data)
    {
        file.WriteAt((long)offset, data);
        HostEnd = Math.Max(HostEnd, offset + (ulong)data.Length);
    }

    public void WriteMetadata(ulong offset, ReadOnlySpan<byte> data)
    {
        WriteData(offset, data);
        metadataUnsynced = true;
    }

    public void WriteEntry(ulong offset, ulong value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, value);
        WriteMetadata(offset, bytes);
    }

    /// <summary>Makes every earlier metadata write durable before any later one (no-op when there is none).</summary>
    public void Barrier()
    {
        if (metadataUnsynced)
        {
            file.Sync();
            metadataUnsynced = false;
        }
    }

    public void Sync()
    {
        file.Sync();
        metadataUnsynced = false;
    }

    /// <summary>Notes a cluster handed out past the end of the file (it exists once its first write lands).</summary>
    public void Reserve(ulong end) => HostEnd = Math.Max(HostEnd, end);
}
