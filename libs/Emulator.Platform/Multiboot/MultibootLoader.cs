using System.Buffers.Binary;
using System.Text;
using Emulator.Memory;

namespace Emulator.Platform;

/// <summary>
/// Loads a multiboot (v1) kernel as QEMU's <c>-kernel</c> does: the header in the first 8 KiB, the
/// a.out-kludge address fields when flag 16 is set, else the ELF32 program headers; modules page
/// aligned after the kernel, then one page run holding the information structure (mem_lower/upper,
/// boot device, command line "kernel-path append" as QEMU builds it, modules, the e820 memory map,
/// the boot loader name). Every field is checked against the image and RAM below 4 GiB; bad input
/// is a <see cref="BootImageException"/>, nothing else.
/// </summary>
public static class MultibootLoader
{
    public const string BootLoaderName = "emu";

    private const uint InfoMemory = 1u << 0;
    private const uint InfoBootDevice = 1u << 1;
    private const uint InfoCommandLine = 1u << 2;
    private const uint InfoModules = 1u << 3;
    private const uint InfoMemoryMap = 1u << 6;
    private const uint InfoBootLoaderName = 1u << 9;
    private const int InfoSize = 120;
    private const ulong Page = 4096;

    public static bool IsMultiboot(ReadOnlySpan<byte> image) => MultibootHeader.Find(image) is not null;

    /// <summary>The segments and entry of <paramref name="image"/>; pure (no RAM is touched).</summary>
    public static KernelImagePlan Plan(ReadOnlySpan<byte> image, ulong ramBelowFourGiB)
    {
        MultibootHeader header = MultibootHeader.Find(image) ?? throw new BootImageException("not a multiboot kernel (no multiboot header in its first 8 KiB)");
        return header.HasAddressFields
            ? AoutKludge.Plan(header, image.Length, ramBelowFourGiB)
            : Elf32Image.Plan(image, ramBelowFourGiB);
    }

    public static MultibootBoot Load(GuestMemory memory, RamLayout layout, ReadOnlySpan<byte> image, string commandLine, IReadOnlyList<MultibootModule> modules)
    {
        ArgumentNullException.ThrowIfNull(memory);
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(commandLine);
        ArgumentNullException.ThrowIfNull(modules);
        ulong limit = Math.Min(layout.BelowFourGiB, RamLayout.HighMemoryBase);
        KernelImagePlan plan = Plan(image, limit);

        // Modules and the information go above the kernel, and never in the 640 KiB-1 MiB hole.
        ulong next = AlignUp(Math.Max(plan.End, 0x10_0000));
        List<(ulong Start, ulong End)> placed = [];
        foreach (MultibootModule module in modules)
        {
            ulong end = next + (ulong)module.Data.Length;
            placed.Add((next, end));
            next = AlignUp(end);
        }

        byte[] info = BuildInfo(next, layout, commandLine, modules, placed);
        if (next + (ulong)info.Length > limit)
        {
            throw new BootImageException($"the kernel, {modules.Count} module(s) and the boot information need 0x{next + (ulong)info.Length:x} bytes; guest RAM below 4 GiB has 0x{limit:x}");
        }

        foreach (LoadSegment segment in plan.Segments)
        {
            memory.Zero(segment.Address, segment.MemorySize);
            memory.Write(segment.Address, image.Slice((int)segment.FileOffset, (int)segment.FileSize));
        }

        for (int i = 0; i < modules.Count; i++)
        {
            memory.Write(placed[i].Start, modules[i].Data.Span);
        }

        memory.Write(next, info);
        return new MultibootBoot(plan.Entry, (uint)next);
    }

    /// <summary>The info structure at <paramref name="at"/>, followed by the module list, the memory map and the strings.</summary>
    private static byte[] BuildInfo(ulong at, RamLayout layout, string commandLine, IReadOnlyList<MultibootModule> modules, List<(ulong Start, ulong End)> placed)
    {
        IReadOnlyList<MemoryMapEntry> map = layout.MemoryMap;
        int modulesOffset = InfoSize;
        int mapOffset = modulesOffset + (16 * modules.Count);
        int stringsOffset = mapOffset + (24 * map.Count);
        var strings = new MemoryStream();
        var stringOffsets = new List<int>();
        foreach (string text in (string[])[commandLine, BootLoaderName, .. modules.Select(m => m.CommandLine)])
        {
            stringOffsets.Add(stringsOffset + (int)strings.Length);
            byte[] bytes = Encoding.UTF8.GetBytes(text);
            strings.Write(bytes);
            strings.WriteByte(0);
        }

        byte[] info = new byte[stringsOffset + (int)strings.Length];
        uint Address(int offset) => (uint)(at + (ulong)offset);
        void Put(int offset, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(info.AsSpan(offset), value);

        Put(0, InfoMemory | InfoBootDevice | InfoCommandLine | InfoModules | InfoMemoryMap | InfoBootLoaderName);
        Put(4, 640);
        Put(8, (uint)((layout.BelowFourGiB / 1024) - 1024));
        Put(12, 0x8000_FFFF);
        Put(16, Address(stringOffsets[0]));
        Put(20, (uint)modules.Count);
        Put(24, Address(modulesOffset));
        Put(44, (uint)(24 * map.Count));
        Put(48, Address(mapOffset));
        Put(64, Address(stringOffsets[1]));
        for (int i = 0; i < modules.Count; i++)
        {
            int o = modulesOffset + (16 * i);
            Put(o, (uint)placed[i].Start);
            Put(o + 4, (uint)placed[i].End);
            Put(o + 8, Address(stringOffsets[2 + i]));
        }

        for (int i = 0; i < map.Count; i++)
        {
            int o = mapOffset + (24 * i);
            Put(o, 20);
            BinaryPrimitives.WriteUInt64LittleEndian(info.AsSpan(o + 4), map[i].Base);
            BinaryPrimitives.WriteUInt64LittleEndian(info.AsSpan(o + 12), map[i].Length);
            Put(o + 20, map[i].Type);
        }

        strings.ToArray().CopyTo(info.AsSpan(stringsOffset));
        return info;
    }

    private static ulong AlignUp(ulong value) => (value + Page - 1) & ~(Page - 1);
}
