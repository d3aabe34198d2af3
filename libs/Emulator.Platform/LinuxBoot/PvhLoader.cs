using System.Buffers.Binary;
using Emulator.Memory;

namespace Emulator.Platform;

/// <summary>
/// Loads an uncompressed ELF64 vmlinux through its PVH entry (XEN_ELFNOTE_PHYS32_ENTRY): the PT_LOAD
/// segments at their physical addresses, the initrd page-aligned at the top of RAM below 4 GiB (above
/// the kernel), the command line, and hvm_start_info version 1 with one module (the initrd), the
/// e820 memory map and the ACPI RSDP. Bad input is a <see cref="BootImageException"/>, nothing else.
/// </summary>
public static class PvhLoader
{
    public const uint StartInfoMagic = 0x336E_C578;
    public const ulong StartInfoAddress = LinuxBootLayout.BootParamsAddress;
    public const ulong ModuleListAddress = StartInfoAddress + 0x40;
    public const ulong MemoryMapAddress = StartInfoAddress + 0x80;

    private const int ModuleEntrySize = 32;
    private const int MemoryMapEntrySize = 24;
    private const int MaxMemoryMapEntries = (4096 - 0x80) / MemoryMapEntrySize;

    public static bool IsPvhKernel(ReadOnlySpan<byte> image)
    {
        if (!Elf64PvhImage.IsElf64(image))
        {
            return false;
        }

        try
        {
            Elf64PvhImage.Plan(image, RamLayout.LowMemoryLimit);
            return true;
        }
        catch (BootImageException)
        {
            return false;
        }
    }

    public static PvhBoot Load(GuestMemory memory, RamLayout layout, ReadOnlySpan<byte> image, string commandLine, ReadOnlySpan<byte> initrd, ulong acpiRsdpAddress)
    {
        ArgumentNullException.ThrowIfNull(memory);
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(commandLine);
        ulong limit = Math.Min(layout.BelowFourGiB, RamLayout.LowMemoryLimit);
        KernelImagePlan plan = Elf64PvhImage.Plan(image, limit);
        byte[] cmdline = LinuxBootLayout.CommandLineBytes(commandLine, LinuxBootLayout.CommandLineCapacity);
        IReadOnlyList<MemoryMapEntry> map = layout.MemoryMap;
        if (map.Count > MaxMemoryMapEntries)
        {
            throw new BootImageException($"the memory map has {map.Count} entries; the start info page holds {MaxMemoryMapEntries}");
        }

        ulong initrdAddress = initrd.IsEmpty ? 0 : LinuxBootLayout.PlaceInitrd((ulong)initrd.Length, plan.End, limit);

        foreach (LoadSegment segment in plan.Segments)
        {
            memory.Zero(segment.Address, segment.MemorySize);
            memory.Write(segment.Address, image.Slice((int)segment.FileOffset, (int)segment.FileSize));
        }

        if (!initrd.IsEmpty)
        {
            memory.Write(initrdAddress, initrd);
        }

        memory.Write(LinuxBootLayout.CommandLineAddress, cmdline);
        memory.Write(StartInfoAddress, BuildStartInfo(map, initrdAddress, (ulong)initrd.Length, acpiRsdpAddress));
        LinuxBootLayout.WriteGdt(memory, longModeCode: false);
        return new PvhBoot(plan.Entry, (uint)StartInfoAddress, initrdAddress);
    }

    /// <summary>hvm_start_info, its module list and memory map as one run from <see cref="StartInfoAddress"/>.</summary>
    internal static byte[] BuildStartInfo(IReadOnlyList<MemoryMapEntry> map, ulong initrdAddress, ulong initrdSize, ulong acpiRsdpAddress)
    {
        byte[] info = new byte[0x80 + (map.Count * MemoryMapEntrySize)];
        Span<byte> p = info;
        BinaryPrimitives.WriteUInt32LittleEndian(p, StartInfoMagic);
        BinaryPrimitives.WriteUInt32LittleEndian(p[4..], 1);
        BinaryPrimitives.WriteUInt32LittleEndian(p[12..], initrdSize == 0 ? 0u : 1u);
        BinaryPrimitives.WriteUInt64LittleEndian(p[16..], initrdSize == 0 ? 0 : ModuleListAddress);
        BinaryPrimitives.WriteUInt64LittleEndian(p[24..], LinuxBootLayout.CommandLineAddress);
        BinaryPrimitives.WriteUInt64LittleEndian(p[32..], acpiRsdpAddress);
        BinaryPrimitives.WriteUInt64LittleEndian(p[40..], MemoryMapAddress);
        BinaryPrimitives.WriteUInt32LittleEndian(p[48..], (uint)map.Count);
        if (initrdSize != 0)
        {
            Span<byte> module = p.Slice((int)(ModuleListAddress - StartInfoAddress), ModuleEntrySize);
            BinaryPrimitives.WriteUInt64LittleEndian(module, initrdAddress);
            BinaryPrimitives.WriteUInt64LittleEndian(module[8..], initrdSize);
        }

        for (int i = 0; i < map.Count; i++)
        {
            Span<byte> entry = p.Slice((int)(MemoryMapAddress - StartInfoAddress) + (i * MemoryMapEntrySize), MemoryMapEntrySize);
            BinaryPrimitives.WriteUInt64LittleEndian(entry, map[i].Base);
            BinaryPrimitives.WriteUInt64LittleEndian(entry[8..], map[i].Length);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[16..], map[i].Type);
        }

        return info;
    }
}
