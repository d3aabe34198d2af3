using System.Buffers.Binary;
using Emulator.Memory;

namespace Emulator.Platform;

/// <summary>
/// Loads a bzImage for the 64-bit boot protocol, with no real-mode setup code run: the protected-mode
/// kernel at pref_address, the initrd page-aligned at the top of RAM below initrd_addr_max (and above
/// the kernel's init_size), the command line, boot_params (the file's setup header, type_of_loader
/// 0xFF, the e820 map, ACPI RSDP) and the identity page tables and GDT of <see cref="LinuxBootLayout"/>.
/// Every header field is checked against the file and RAM: bad input is a <see cref="BootImageException"/>.
/// </summary>
public static class BzImageLoader
{
    public const byte TypeOfLoaderUndefined = 0xFF;
    public const uint Entry64Offset = 0x200;

    private const byte CanUseHeap = 0x80;
    private const int BootParamsSize = 4096;
    private const int MaxE820Entries = 128;

    public static bool IsBzImage(ReadOnlySpan<byte> image) => LinuxSetupHeader.IsBzImage(image);

    public static LinuxBoot64 Load(GuestMemory memory, RamLayout layout, ReadOnlySpan<byte> image, string commandLine, ReadOnlySpan<byte> initrd, ulong acpiRsdpAddress)
    {
        ArgumentNullException.ThrowIfNull(memory);
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(commandLine);
        LinuxSetupHeader header = LinuxSetupHeader.Parse(image);
        ulong limit = Math.Min(layout.BelowFourGiB, RamLayout.LowMemoryLimit);
        ulong kernel = header.PreferredAddress;
        ulong kernelEnd = kernel + header.InitSize;
        if (kernelEnd > limit)
        {
            throw new BootImageException($"the kernel needs 0x{header.InitSize:x} bytes at 0x{kernel:x} (init_size at pref_address); guest RAM below 4 GiB ends at 0x{limit:x}");
        }

        byte[] cmdline = LinuxBootLayout.CommandLineBytes(commandLine, (int)Math.Min(header.CommandLineSize, int.MaxValue - 1) + 1);
        ulong initrdAddress = 0;
        if (!initrd.IsEmpty)
        {
            ulong ceiling = Math.Min((ulong)header.InitrdAddressMax + 1, limit);
            initrdAddress = LinuxBootLayout.PlaceInitrd((ulong)initrd.Length, kernelEnd, ceiling);
        }

        byte[] bootParams = BuildBootParams(image, header, layout.MemoryMap, initrdAddress, (uint)initrd.Length, acpiRsdpAddress);
        ReadOnlySpan<byte> protectedMode = image[header.KernelOffset..];
        memory.Zero(kernel, header.InitSize);
        memory.Write(kernel, protectedMode);
        if (!initrd.IsEmpty)
        {
            memory.Write(initrdAddress, initrd);
        }

        memory.Write(LinuxBootLayout.CommandLineAddress, cmdline);
        memory.Write(LinuxBootLayout.BootParamsAddress, bootParams);
        LinuxBootLayout.WriteGdt(memory, longModeCode: true);
        LinuxBootLayout.WriteIdentityPageTables(memory);
        return new LinuxBoot64(kernel + Entry64Offset, LinuxBootLayout.BootParamsAddress, kernel, initrdAddress);
    }

    /// <summary>The zero page: offsets from boot.rst's "zero page" table.</summary>
    internal static byte[] BuildBootParams(ReadOnlySpan<byte> image, LinuxSetupHeader header, IReadOnlyList<MemoryMapEntry> map, ulong initrdAddress, uint initrdSize, ulong acpiRsdpAddress)
    {
        if (map.Count > MaxE820Entries)
        {
            throw new BootImageException($"the memory map has {map.Count} entries; boot_params holds {MaxE820Entries}");
        }

        byte[] zero = new byte[BootParamsSize];
        Span<byte> p = zero;
        image[LinuxSetupHeader.Offset..header.End].CopyTo(p[LinuxSetupHeader.Offset..]);
        p[0x210] = TypeOfLoaderUndefined;
        p[0x211] |= CanUseHeap;
        BinaryPrimitives.WriteUInt16LittleEndian(p[0x224..], 0xFE00);
        BinaryPrimitives.WriteUInt32LittleEndian(p[0x228..], (uint)LinuxBootLayout.CommandLineAddress);
        BinaryPrimitives.WriteUInt32LittleEndian(p[0x0C8..], (uint)(LinuxBootLayout.CommandLineAddress >> 32));
        BinaryPrimitives.WriteUInt32LittleEndian(p[0x218..], (uint)initrdAddress);
        BinaryPrimitives.WriteUInt32LittleEndian(p[0x0C0..], (uint)(initrdAddress >> 32));
        BinaryPrimitives.WriteUInt32LittleEndian(p[0x21C..], initrdSize);
        BinaryPrimitives.WriteUInt32LittleEndian(p[0x0C4..], 0);
        BinaryPrimitives.WriteUInt64LittleEndian(p[0x070..], acpiRsdpAddress);
        p[0x1E8] = (byte)map.Count;
        for (int i = 0; i < map.Count; i++)
        {
            Span<byte> entry = p.Slice(0x2D0 + (20 * i), 20);
            BinaryPrimitives.WriteUInt64LittleEndian(entry, map[i].Base);
            BinaryPrimitives.WriteUInt64LittleEndian(entry[8..], map[i].Length);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[16..], map[i].Type);
        }

        return zero;
    }
}
