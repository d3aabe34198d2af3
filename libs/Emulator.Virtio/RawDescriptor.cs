using System.Buffers.Binary;
using Emulator.Memory;

namespace Emulator.Virtio;

/// <summary>A <c>virtq_desc</c> exactly as the guest wrote it: a private copy, not yet validated.</summary>
internal readonly record struct RawDescriptor(ulong Address, uint Length, ushort Flags, ushort Next)
{
    public bool Has(ushort flag) => (Flags & flag) != 0;

    /// <summary>
    /// Copies the 16 bytes out of shared memory in one read; every check is then made on this copy,
    /// so a guest rewriting the table meanwhile cannot slip a value past validation.
    /// </summary>
    public static RawDescriptor Read(GuestMemory memory, ulong address)
    {
        Span<byte> bytes = stackalloc byte[(int)SplitRingLayout.DescriptorSize];
        memory.Read(address, bytes);
        return new RawDescriptor(
            BinaryPrimitives.ReadUInt64LittleEndian(bytes),
            BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..]),
            BinaryPrimitives.ReadUInt16LittleEndian(bytes[12..]),
            BinaryPrimitives.ReadUInt16LittleEndian(bytes[14..]));
    }
}
