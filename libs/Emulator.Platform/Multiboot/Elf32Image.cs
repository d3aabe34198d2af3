using System.Buffers.Binary;

namespace Emulator.Platform;

/// <summary>
/// The parts of an ELF32 i386 executable a multiboot loader needs: PT_LOAD program headers loaded at
/// their physical addresses (as QEMU's <c>load_elf</c>) and <c>e_entry</c>. Every field is checked
/// against the file and the RAM limit; a bad one is a <see cref="BootImageException"/>. Pure.
/// </summary>
public static class Elf32Image
{
    private const uint PtLoad = 1;
    private const int MaximumProgramHeaders = 512;

    public static bool IsElf(ReadOnlySpan<byte> image) =>
        image.Length >= 4 && image[0] == 0x7F && image[1] == (byte)'E' && image[2] == (byte)'L' && image[3] == (byte)'F';

    public static KernelImagePlan Plan(ReadOnlySpan<byte> image, ulong ramLimit)
    {
        if (!IsElf(image) || image.Length < 52)
        {
            throw new BootImageException("not an ELF file, and the multiboot header has no address fields");
        }

        if (image[4] == 2)
        {
            throw new BootImageException("Cannot load x86-64 image, give a 32bit one.");
        }

        ushort machine = BinaryPrimitives.ReadUInt16LittleEndian(image[18..]);
        if (image[4] != 1 || image[5] != 1 || machine != 3)
        {
            throw new BootImageException($"ELF image is not 32-bit little-endian i386 (class {image[4]}, data {image[5]}, machine {machine})");
        }

        uint entry = BinaryPrimitives.ReadUInt32LittleEndian(image[24..]);
        ulong phoff = BinaryPrimitives.ReadUInt32LittleEndian(image[28..]);
        ulong phentsize = BinaryPrimitives.ReadUInt16LittleEndian(image[42..]);
        ulong phnum = BinaryPrimitives.ReadUInt16LittleEndian(image[44..]);
        if (phnum == 0 || phnum > MaximumProgramHeaders || phentsize < 32 || phoff + (phnum * phentsize) > (ulong)image.Length)
        {
            throw new BootImageException($"ELF program headers (offset 0x{phoff:x}, {phnum} of {phentsize} bytes) do not fit the {image.Length}-byte file");
        }

        List<LoadSegment> segments = [];
        for (ulong i = 0; i < phnum; i++)
        {
            ReadOnlySpan<byte> ph = image[(int)(phoff + (i * phentsize))..];
            if (BinaryPrimitives.ReadUInt32LittleEndian(ph) != PtLoad)
            {
                continue;
            }

            ulong offset = BinaryPrimitives.ReadUInt32LittleEndian(ph[4..]);
            ulong paddr = BinaryPrimitives.ReadUInt32LittleEndian(ph[12..]);
            ulong filesz = BinaryPrimitives.ReadUInt32LittleEndian(ph[16..]);
            ulong memsz = BinaryPrimitives.ReadUInt32LittleEndian(ph[20..]);
            if (offset + filesz > (ulong)image.Length)
            {
                throw new BootImageException($"ELF segment {i}: file bytes 0x{offset:x}+0x{filesz:x} are beyond the end of the {image.Length}-byte file");
            }

            if (filesz > memsz)
            {
                throw new BootImageException($"ELF segment {i}: file size 0x{filesz:x} exceeds memory size 0x{memsz:x}");
            }

            if (paddr + memsz > ramLimit)
            {
                throw new BootImageException($"ELF segment {i}: 0x{paddr:x}+0x{memsz:x} is outside guest RAM (0x{ramLimit:x} bytes below 4 GiB)");
            }

            if (memsz != 0)
            {
                segments.Add(new LoadSegment(offset, filesz, paddr, memsz));
            }
        }

        if (segments.Count == 0)
        {
            throw new BootImageException("ELF image has no loadable segment");
        }

        return new KernelImagePlan(segments, entry);
    }
}
