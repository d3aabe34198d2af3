using System.Buffers.Binary;
using Iced.Intel;

namespace Emulator.System.Tests.EndToEnd.Guests;

/// <summary>
/// Builds multiboot (v1) kernels: an ELF32 i386 executable with one PT_LOAD segment (the whole file,
/// loaded at <see cref="LoadAddress"/>, plus optional bss), the multiboot header right after the
/// program header, then 32-bit code entered at <see cref="EntryAddress"/>. Also the a.out-kludge
/// form (a flat binary whose header carries the load addresses). For QEMU-differential kernels.
/// </summary>
internal static class MultibootElfWriter
{
    public const uint LoadAddress = 0x10_0000;
    public const int HeaderOffset = 0x60;
    public const int CodeOffset = 0x80;
    public const uint EntryAddress = LoadAddress + CodeOffset;

    /// <summary>Flags: page-align modules (bit 0) and memory information (bit 1).</summary>
    public const uint DefaultFlags = 0b11;

    public static byte[] BuildElf(Action<Assembler> code, uint bssSize = 0, uint flags = DefaultFlags) =>
        BuildElf(GuestAssembler.Assemble(32, EntryAddress, code), bssSize, flags);

    /// <summary>An ELF kernel whose loaded bytes from <see cref="EntryAddress"/> on are <paramref name="body"/> (code, data, whatever the caller laid out).</summary>
    public static byte[] BuildElf(byte[] body, uint bssSize = 0, uint flags = DefaultFlags)
    {
        byte[] image = new byte[CodeOffset + body.Length];
        Span<byte> s = image;
        s[0] = 0x7F;
        "ELF"u8.CopyTo(s[1..]);
        s[4] = 1; // ELFCLASS32
        s[5] = 1; // little-endian
        s[6] = 1; // EV_CURRENT
        BinaryPrimitives.WriteUInt16LittleEndian(s[16..], 2); // ET_EXEC
        BinaryPrimitives.WriteUInt16LittleEndian(s[18..], 3); // EM_386
        BinaryPrimitives.WriteUInt32LittleEndian(s[20..], 1);
        BinaryPrimitives.WriteUInt32LittleEndian(s[24..], EntryAddress);
        BinaryPrimitives.WriteUInt32LittleEndian(s[28..], 52); // e_phoff
        BinaryPrimitives.WriteUInt16LittleEndian(s[40..], 52); // e_ehsize
        BinaryPrimitives.WriteUInt16LittleEndian(s[42..], 32); // e_phentsize
        BinaryPrimitives.WriteUInt16LittleEndian(s[44..], 1); // e_phnum
        BinaryPrimitives.WriteUInt16LittleEndian(s[46..], 40); // e_shentsize

        Span<byte> ph = s[52..];
        BinaryPrimitives.WriteUInt32LittleEndian(ph, 1); // PT_LOAD
        BinaryPrimitives.WriteUInt32LittleEndian(ph[4..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(ph[8..], LoadAddress);
        BinaryPrimitives.WriteUInt32LittleEndian(ph[12..], LoadAddress);
        BinaryPrimitives.WriteUInt32LittleEndian(ph[16..], (uint)image.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(ph[20..], (uint)image.Length + bssSize);
        BinaryPrimitives.WriteUInt32LittleEndian(ph[24..], 7); // RWX
        BinaryPrimitives.WriteUInt32LittleEndian(ph[28..], 0x1000);

        WriteHeader(s[HeaderOffset..], flags);
        body.CopyTo(s[CodeOffset..]);
        return image;
    }

    /// <summary>A flat image with the address fields (flag 16): header at <see cref="HeaderOffset"/>, code at <see cref="CodeOffset"/>, loaded at <see cref="LoadAddress"/>.</summary>
    public static byte[] BuildAout(Action<Assembler> code, uint bssSize = 0)
    {
        byte[] body = GuestAssembler.Assemble(32, EntryAddress, code);
        byte[] image = new byte[CodeOffset + body.Length];
        Span<byte> s = image;
        WriteHeader(s[HeaderOffset..], DefaultFlags | (1u << 16));
        Span<byte> fields = s[(HeaderOffset + 12)..];
        BinaryPrimitives.WriteUInt32LittleEndian(fields, LoadAddress + HeaderOffset);
        BinaryPrimitives.WriteUInt32LittleEndian(fields[4..], LoadAddress);
        BinaryPrimitives.WriteUInt32LittleEndian(fields[8..], LoadAddress + (uint)image.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(fields[12..], bssSize == 0 ? 0 : LoadAddress + (uint)image.Length + bssSize);
        BinaryPrimitives.WriteUInt32LittleEndian(fields[16..], EntryAddress);
        body.CopyTo(s[CodeOffset..]);
        return image;
    }

    private static void WriteHeader(Span<byte> at, uint flags)
    {
        const uint magic = 0x1BAD_B002;
        BinaryPrimitives.WriteUInt32LittleEndian(at, magic);
        BinaryPrimitives.WriteUInt32LittleEndian(at[4..], flags);
        BinaryPrimitives.WriteUInt32LittleEndian(at[8..], unchecked(0u - magic - flags));
    }
}
