using System.Buffers.Binary;
using Emulator.Memory;

namespace Emulator.Platform;

/// <summary>
/// Where the Linux loaders put what they build, all in conventional memory below 640 KiB (as
/// Firecracker does) so it never collides with the kernel (loaded from 1 MiB up) or the initrd (at
/// the top of RAM): the GDT at 0x500, the stack below the zero page, the zero page (boot_params) or
/// hvm_start_info at 0x7000, the identity-mapping page tables from 0x9000 (PML4, one PDPT, four page
/// directories of 2 MiB pages: 0-4 GiB), the command line at 0x20000.
/// </summary>
public static class LinuxBootLayout
{
    public const ulong GdtAddress = 0x500;
    public const ulong StackTop = 0x7000;
    public const ulong BootParamsAddress = 0x7000;
    public const ulong Pml4Address = 0x9000;
    public const ulong PdptAddress = 0xA000;
    public const ulong PageDirectoriesAddress = 0xB000;
    public const ulong CommandLineAddress = 0x2_0000;

    /// <summary>Room for the command line and its NUL, up to the EBDA's neighbourhood.</summary>
    public const int CommandLineCapacity = 0x1_0000;

    /// <summary>Nothing the loaders place for the kernel may start below this.</summary>
    public const ulong KernelFloor = 0x10_0000;

    public const ushort CodeSelector = 0x10;
    public const ushort DataSelector = 0x18;
    public const uint GdtLimit = (4 * 8) - 1;

    private const ulong Page = 4096;

    /// <summary>A GDT as the boot protocols describe: null, null, code at 0x10 (64- or 32-bit), flat data at 0x18.</summary>
    public static void WriteGdt(GuestMemory memory, bool longModeCode)
    {
        ArgumentNullException.ThrowIfNull(memory);
        Span<byte> gdt = stackalloc byte[32];
        gdt.Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(gdt[16..], longModeCode ? 0x00AF_9B00_0000_FFFFUL : 0x00CF_9B00_0000_FFFFUL);
        BinaryPrimitives.WriteUInt64LittleEndian(gdt[24..], 0x00CF_9300_0000_FFFFUL);
        memory.Write(GdtAddress, gdt);
    }

    /// <summary>Identity-maps 0-4 GiB with 2 MiB pages (present, writable), rooted at <see cref="Pml4Address"/>.</summary>
    public static void WriteIdentityPageTables(GuestMemory memory)
    {
        ArgumentNullException.ThrowIfNull(memory);
        const ulong PresentWritable = 0x3;
        const ulong LargePage = 0x80;
        memory.Zero(Pml4Address, Page * 6);
        memory.Write(Pml4Address, PdptAddress | PresentWritable);
        byte[] directories = new byte[4 * Page];
        for (int i = 0; i < 4; i++)
        {
            ulong directory = PageDirectoriesAddress + ((ulong)i * Page);
            memory.Write(PdptAddress + ((ulong)i * 8), directory | PresentWritable);
        }

        for (int i = 0; i < 4 * 512; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(directories.AsSpan(i * 8), ((ulong)i << 21) | PresentWritable | LargePage);
        }

        memory.Write(PageDirectoriesAddress, directories);
    }

    internal static ulong AlignUp(ulong value) => (value + Page - 1) & ~(Page - 1);

    /// <summary>
    /// The initrd's address: the highest page-aligned start whose end stays at or below
    /// <paramref name="ceiling"/>, provided it stays above <paramref name="floor"/> (the kernel's end).
    /// </summary>
    internal static ulong PlaceInitrd(ulong size, ulong floor, ulong ceiling)
    {
        if (size > ceiling || ((ceiling - size) & ~(Page - 1)) < AlignUp(floor))
        {
            throw new BootImageException($"the initrd (0x{size:x} bytes) does not fit between the kernel's end 0x{floor:x} and 0x{ceiling:x}; give the guest more RAM");
        }

        return (ceiling - size) & ~(Page - 1);
    }

    internal static byte[] CommandLineBytes(string commandLine, int capacity)
    {
        byte[] bytes = new byte[System.Text.Encoding.UTF8.GetByteCount(commandLine) + 1];
        System.Text.Encoding.UTF8.GetBytes(commandLine, bytes);
        if (bytes.Length > Math.Min(capacity, CommandLineCapacity))
        {
            throw new BootImageException($"the kernel command line has {bytes.Length - 1} bytes; this kernel takes at most {Math.Min(capacity, CommandLineCapacity) - 1}");
        }

        return bytes;
    }
}
