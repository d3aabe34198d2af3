using System.Buffers.Binary;

namespace Emulator.Platform;

/// <summary>
/// An ELF64 x86-64 kernel (an uncompressed vmlinux) as the PVH boot needs it: its PT_LOAD segments
/// at their physical addresses and the XEN_ELFNOTE_PHYS32_ENTRY note's 32-bit entry. Pure; every
/// header, segment and note is checked against the file and RAM below 4 GiB.
/// </summary>
public static class Elf64PvhImage
{
    public const uint Phys32EntryNote = 18;

    private const int HeaderSize = 64;
    private const int ProgramHeaderSize = 56;
    private const uint PtLoad = 1;
    private const uint PtNote = 4;
    private const int MaxProgramHeaders = 256;

    public static bool IsElf64(ReadOnlySpan<byte> image) =>
        image.Length >= HeaderSize && image[0] == 0x7F && image[1] == (byte)'E' && image[2] == (byte)'L' && image[3] == (byte)'F' && image[4] == 2;

    public static KernelImagePlan Plan(ReadOnlySpan<byte> image, ulong ramBelowFourGiB)
    {
        if (!IsElf64(image))
        {
            throw new BootImageException("not an ELF64 kernel (no \\x7fELF magic with class 2)");
        }

        if (image[5] != 1 || BinaryPrimitives.ReadUInt16LittleEndian(image[18..]) != 62)
        {
            throw new BootImageException("the ELF64 kernel is not little-endian x86-64");
        }

        ulong phoff = BinaryPrimitives.ReadUInt64LittleEndian(image[32..]);
        int phentsize = BinaryPrimitives.ReadUInt16LittleEndian(image[54..]);
        int phnum = BinaryPrimitives.ReadUInt16LittleEndian(image[56..]);
        if (phentsize != ProgramHeaderSize || phnum == 0 || phnum > MaxProgramHeaders)
        {
            throw new BootImageException($"ELF program headers: {phnum} of {phentsize} bytes (expected 1-{MaxProgramHeaders} of {ProgramHeaderSize})");
        }

        if (phoff > (ulong)image.Length || (ulong)image.Length - phoff < (ulong)(phnum * ProgramHeaderSize))
        {
            throw new BootImageException($"ELF program headers at 0x{phoff:x} run past the {image.Length}-byte file");
        }

        List<LoadSegment> segments = [];
        uint? entry = null;
        for (int i = 0; i < phnum; i++)
        {
            ReadOnlySpan<byte> ph = image.Slice((int)phoff + (i * ProgramHeaderSize), ProgramHeaderSize);
            uint type = BinaryPrimitives.ReadUInt32LittleEndian(ph);
            ulong offset = BinaryPrimitives.ReadUInt64LittleEndian(ph[8..]);
            ulong paddr = BinaryPrimitives.ReadUInt64LittleEndian(ph[24..]);
            ulong filesz = BinaryPrimitives.ReadUInt64LittleEndian(ph[32..]);
            ulong memsz = BinaryPrimitives.ReadUInt64LittleEndian(ph[40..]);
            if (type != PtLoad && type != PtNote)
            {
                continue;
            }

            if (offset > (ulong)image.Length || (ulong)image.Length - offset < filesz)
            {
                throw new BootImageException($"ELF segment {i} (file 0x{offset:x}+0x{filesz:x}) runs past the {image.Length}-byte file");
            }

            if (type == PtNote)
            {
                entry ??= FindEntryNote(image.Slice((int)offset, (int)filesz));
                continue;
            }

            if (filesz > memsz)
            {
                throw new BootImageException($"ELF segment {i}: file size 0x{filesz:x} exceeds memory size 0x{memsz:x}");
            }

            if (memsz == 0)
            {
                continue;
            }

            if (paddr < LinuxBootLayout.KernelFloor || paddr > ramBelowFourGiB || ramBelowFourGiB - paddr < memsz)
            {
                throw new BootImageException($"ELF segment {i} at physical 0x{paddr:x}+0x{memsz:x} is not inside guest RAM from 1 MiB to 0x{ramBelowFourGiB:x}");
            }

            segments.Add(new LoadSegment(offset, filesz, paddr, memsz));
        }

        if (segments.Count == 0)
        {
            throw new BootImageException("the ELF64 kernel has no loadable segment");
        }

        uint start = entry ?? throw new BootImageException("the ELF64 kernel has no PVH entry (no XEN_ELFNOTE_PHYS32_ENTRY note): build it with CONFIG_PVH");
        if (!segments.Any(s => start >= s.Address && start < s.Address + s.FileSize))
        {
            throw new BootImageException($"the PVH entry 0x{start:x} is not inside a loaded segment");
        }

        return new KernelImagePlan(segments, start);
    }

    /// <summary>Walks a note segment: (namesz, descsz, type, name, desc), each part 4-byte aligned.</summary>
    private static uint? FindEntryNote(ReadOnlySpan<byte> notes)
    {
        int at = 0;
        while (notes.Length - at >= 12)
        {
            uint nameSize = BinaryPrimitives.ReadUInt32LittleEndian(notes[at..]);
            uint descSize = BinaryPrimitives.ReadUInt32LittleEndian(notes[(at + 4)..]);
            uint type = BinaryPrimitives.ReadUInt32LittleEndian(notes[(at + 8)..]);
            ulong nameEnd = (ulong)at + 12 + Align4(nameSize);
            ulong descEnd = nameEnd + Align4(descSize);
            if (descEnd > (ulong)notes.Length)
            {
                throw new BootImageException($"an ELF note at 0x{at:x} (name {nameSize}, desc {descSize} bytes) runs past its segment");
            }

            ReadOnlySpan<byte> name = notes.Slice(at + 12, (int)nameSize);
            if (type == Phys32EntryNote && name.SequenceEqual("Xen\0"u8))
            {
                if (descSize < 4)
                {
                    throw new BootImageException($"the PVH entry note has a {descSize}-byte value (expected 4 or 8)");
                }

                return BinaryPrimitives.ReadUInt32LittleEndian(notes[(int)nameEnd..]);
            }

            at = (int)descEnd;
        }

        return null;
    }

    private static ulong Align4(uint value) => ((ulong)value + 3) & ~3UL;
}
