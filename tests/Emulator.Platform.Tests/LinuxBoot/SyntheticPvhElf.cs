using System.Buffers.Binary;

namespace Emulator.Platform.Tests;

/// <summary>A minimal ELF64 x86-64 vmlinux: one PT_LOAD at <see cref="LoadAddress"/> and a PT_NOTE with the PVH entry.</summary>
internal static class SyntheticPvhElf
{
    public const ulong LoadAddress = 0x100_0000;
    public const uint Entry = 0x100_0040;
    private const int NoteOffset = 64 + (2 * 56);
    private const int NoteSize = 12 + 4 + 4 + 12 + 4 + 8;
    public const int CodeOffset = 0x200;

    public static byte[] Build(int codeLength = 0x300, ulong bss = 0x1000, bool withNote = true)
    {
        byte[] image = new byte[CodeOffset + codeLength];
        Span<byte> p = image;
        ReadOnlySpan<byte> magic = [0x7F, (byte)'E', (byte)'L', (byte)'F'];
        magic.CopyTo(p);
        p[4] = 2;
        p[5] = 1;
        p[6] = 1;
        BinaryPrimitives.WriteUInt16LittleEndian(p[16..], 2);
        BinaryPrimitives.WriteUInt16LittleEndian(p[18..], 62);
        BinaryPrimitives.WriteUInt32LittleEndian(p[20..], 1);
        BinaryPrimitives.WriteUInt64LittleEndian(p[24..], 0xFFFF_FFFF_8100_0000);
        BinaryPrimitives.WriteUInt64LittleEndian(p[32..], 64);
        BinaryPrimitives.WriteUInt16LittleEndian(p[52..], 64);
        BinaryPrimitives.WriteUInt16LittleEndian(p[54..], 56);
        BinaryPrimitives.WriteUInt16LittleEndian(p[56..], 2);

        Span<byte> load = p.Slice(64, 56);
        BinaryPrimitives.WriteUInt32LittleEndian(load, 1);
        BinaryPrimitives.WriteUInt32LittleEndian(load[4..], 7);
        BinaryPrimitives.WriteUInt64LittleEndian(load[8..], CodeOffset);
        BinaryPrimitives.WriteUInt64LittleEndian(load[16..], 0xFFFF_FFFF_8100_0000);
        BinaryPrimitives.WriteUInt64LittleEndian(load[24..], LoadAddress);
        BinaryPrimitives.WriteUInt64LittleEndian(load[32..], (ulong)codeLength);
        BinaryPrimitives.WriteUInt64LittleEndian(load[40..], (ulong)codeLength + bss);

        Span<byte> note = p.Slice(120, 56);
        BinaryPrimitives.WriteUInt32LittleEndian(note, 4);
        BinaryPrimitives.WriteUInt64LittleEndian(note[8..], NoteOffset);
        BinaryPrimitives.WriteUInt64LittleEndian(note[32..], NoteSize);

        // An unrelated note first (as in a real vmlinux), then Xen's PHYS32_ENTRY.
        Span<byte> notes = p.Slice(NoteOffset, NoteSize);
        BinaryPrimitives.WriteUInt32LittleEndian(notes, 4);
        BinaryPrimitives.WriteUInt32LittleEndian(notes[4..], 4);
        BinaryPrimitives.WriteUInt32LittleEndian(notes[8..], 3);
        "GNU\0"u8.CopyTo(notes[12..]);
        BinaryPrimitives.WriteUInt32LittleEndian(notes[20..], 4);
        BinaryPrimitives.WriteUInt32LittleEndian(notes[24..], 8);
        BinaryPrimitives.WriteUInt32LittleEndian(notes[28..], withNote ? 18u : 17u);
        "Xen\0"u8.CopyTo(notes[32..]);
        BinaryPrimitives.WriteUInt64LittleEndian(notes[36..], Entry);

        for (int i = 0; i < codeLength; i++)
        {
            p[CodeOffset + i] = (byte)(0x90 + i);
        }

        return image;
    }
}
