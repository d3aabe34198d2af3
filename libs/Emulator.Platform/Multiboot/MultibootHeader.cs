using System.Buffers.Binary;

namespace Emulator.Platform;

/// <summary>
/// The multiboot (v1) header: magic 0x1BADB002, flags and a checksum making their sum 0, 32-bit
/// aligned within the first 8 KiB of the image. With flag bit 16 the a.out-kludge address fields
/// follow. Pure: a parser over bytes.
/// </summary>
public sealed record MultibootHeader(int Offset, uint Flags, uint HeaderAddress, uint LoadAddress, uint LoadEndAddress, uint BssEndAddress, uint EntryAddress)
{
    public const uint Magic = 0x1BAD_B002;
    public const int SearchLimit = 8192;

    /// <summary>Bit 16: the address fields are valid and say where to load the image.</summary>
    public const uint AddressFieldsFlag = 1u << 16;

    /// <summary>Bits 0-15 are requirements; this loader honours 0 (page-align modules), 1 (memory info) and 2 (video mode: none is set up, as QEMU).</summary>
    private const uint SupportedRequirements = 0b111;

    public bool HasAddressFields => (Flags & AddressFieldsFlag) != 0;

    /// <summary>The first header with a valid checksum, or null when the image has none.</summary>
    public static MultibootHeader? Find(ReadOnlySpan<byte> image)
    {
        int limit = Math.Min(image.Length, SearchLimit);
        for (int offset = 0; offset + 12 <= limit; offset += 4)
        {
            uint magic = BinaryPrimitives.ReadUInt32LittleEndian(image[offset..]);
            uint flags = BinaryPrimitives.ReadUInt32LittleEndian(image[(offset + 4)..]);
            uint checksum = BinaryPrimitives.ReadUInt32LittleEndian(image[(offset + 8)..]);
            if (magic != Magic || unchecked(magic + flags + checksum) != 0)
            {
                continue;
            }

            if ((flags & 0xFFFF & ~SupportedRequirements) != 0)
            {
                throw new BootImageException($"multiboot header at 0x{offset:x} requires features this loader lacks (flags 0x{flags:x8})");
            }

            if ((flags & AddressFieldsFlag) == 0)
            {
                return new MultibootHeader(offset, flags, 0, 0, 0, 0, 0);
            }

            if (offset + 32 > image.Length)
            {
                throw new BootImageException($"multiboot header at 0x{offset:x} is cut off by the end of the file");
            }

            ReadOnlySpan<byte> fields = image[(offset + 12)..];
            return new MultibootHeader(
                offset,
                flags,
                BinaryPrimitives.ReadUInt32LittleEndian(fields),
                BinaryPrimitives.ReadUInt32LittleEndian(fields[4..]),
                BinaryPrimitives.ReadUInt32LittleEndian(fields[8..]),
                BinaryPrimitives.ReadUInt32LittleEndian(fields[12..]),
                BinaryPrimitives.ReadUInt32LittleEndian(fields[16..]));
        }

        return null;
    }
}
