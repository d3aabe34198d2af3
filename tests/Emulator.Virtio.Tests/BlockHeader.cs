using System.Runtime.InteropServices;

namespace Emulator.Virtio.Tests;

/// <summary>A virtio-blk style request header, to read as one structure.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
internal struct BlockHeader
{
    public uint Type;
    public uint Reserved;
    public ulong Sector;
}
