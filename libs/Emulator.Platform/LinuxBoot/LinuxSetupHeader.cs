using System.Buffers.Binary;

namespace Emulator.Platform;

/// <summary>
/// The setup header of a bzImage (Linux x86 boot protocol, Documentation/arch/x86/boot.rst),
/// parsed and checked against the file: only kernels that can be entered in 64-bit mode (protocol
/// 2.12+, XLF_KERNEL_64) are accepted. Pure; bad input is a <see cref="BootImageException"/>.
/// </summary>
public sealed record LinuxSetupHeader
{
    public const int Offset = 0x1F1;
    public const uint MinimumVersion = 0x020C;
    public const byte LoadedHigh = 0x01;
    public const ushort XlfKernel64 = 0x01;

    /// <summary>The end of boot_params' header area (then come the EDD buffers).</summary>
    private const int AreaEnd = 0x290;

    public required int SetupSectors { get; init; }

    public required uint SysSize { get; init; }

    public required ushort Version { get; init; }

    public required byte LoadFlags { get; init; }

    public required ushort XLoadFlags { get; init; }

    public required uint InitrdAddressMax { get; init; }

    public required uint KernelAlignment { get; init; }

    public required bool Relocatable { get; init; }

    public required uint CommandLineSize { get; init; }

    public required ulong PreferredAddress { get; init; }

    public required uint InitSize { get; init; }

    /// <summary>Where the header ends in the file (0x202 plus the byte at 0x201).</summary>
    public required int End { get; init; }

    /// <summary>The protected-mode kernel's offset in the file: after (setup_sects + 1) sectors.</summary>
    public int KernelOffset => (SetupSectors + 1) * 512;

    public static bool IsBzImage(ReadOnlySpan<byte> image) =>
        image.Length >= 0x206 && BinaryPrimitives.ReadUInt32LittleEndian(image[0x202..]) == 0x5372_6448;

    public static LinuxSetupHeader Parse(ReadOnlySpan<byte> image)
    {
        if (image.Length < 1024)
        {
            throw new BootImageException($"a {image.Length}-byte file is too small for a bzImage");
        }

        if (!IsBzImage(image))
        {
            throw new BootImageException("not a bzImage (no \"HdrS\" setup header at 0x202)");
        }

        if (BinaryPrimitives.ReadUInt16LittleEndian(image[0x1FE..]) != 0xAA55)
        {
            throw new BootImageException("bzImage boot_flag at 0x1FE is not 0xAA55");
        }

        ushort version = U16(image, 0x206);
        if (version < MinimumVersion)
        {
            throw new BootImageException($"boot protocol {version >> 8}.{version & 0xFF} is too old: the 64-bit entry needs 2.12 or later");
        }

        int end = 0x202 + image[0x201];
        if (end < 0x268 || end > AreaEnd)
        {
            throw new BootImageException($"setup header end 0x{end:x} (jump at 0x200) is outside 0x268-0x{AreaEnd:x}");
        }

        int setupSectors = image[0x1F1] == 0 ? 4 : image[0x1F1];
        var header = new LinuxSetupHeader
        {
            SetupSectors = setupSectors,
            SysSize = U32(image, 0x1F4),
            Version = version,
            LoadFlags = image[0x211],
            XLoadFlags = U16(image, 0x236),
            InitrdAddressMax = U32(image, 0x22C),
            KernelAlignment = U32(image, 0x230),
            Relocatable = image[0x234] != 0,
            CommandLineSize = U32(image, 0x238),
            PreferredAddress = BinaryPrimitives.ReadUInt64LittleEndian(image[0x258..]),
            InitSize = U32(image, 0x260),
            End = end,
        };
        header.Validate(image.Length);
        return header;
    }

    private void Validate(int fileLength)
    {
        if (KernelOffset >= fileLength)
        {
            throw new BootImageException($"setup_sects {SetupSectors} puts the kernel at 0x{KernelOffset:x}, past the {fileLength}-byte file");
        }

        ulong payload = (ulong)(fileLength - KernelOffset);
        if (SysSize == 0 || (ulong)SysSize * 16 > payload + 15)
        {
            throw new BootImageException($"syssize {SysSize} (x16 bytes) does not match the {payload}-byte protected-mode kernel");
        }

        if ((LoadFlags & LoadedHigh) == 0)
        {
            throw new BootImageException("the kernel does not load at 1 MiB (LOADED_HIGH clear): not a bzImage");
        }

        if ((XLoadFlags & XlfKernel64) == 0)
        {
            throw new BootImageException("the kernel has no 64-bit entry point (XLF_KERNEL_64 clear)");
        }

        if (KernelAlignment == 0 || (KernelAlignment & (KernelAlignment - 1)) != 0)
        {
            throw new BootImageException($"kernel_alignment 0x{KernelAlignment:x} is not a power of two");
        }

        if (PreferredAddress < LinuxBootLayout.KernelFloor || PreferredAddress >= RamLayout.LowMemoryLimit)
        {
            throw new BootImageException($"pref_address 0x{PreferredAddress:x} is not between 1 MiB and 0x{RamLayout.LowMemoryLimit:x}");
        }

        if (Relocatable && PreferredAddress % KernelAlignment != 0)
        {
            throw new BootImageException($"pref_address 0x{PreferredAddress:x} is not aligned to kernel_alignment 0x{KernelAlignment:x}");
        }

        if (InitSize < payload)
        {
            throw new BootImageException($"init_size 0x{InitSize:x} is smaller than the 0x{payload:x}-byte kernel it must hold");
        }

        if (InitrdAddressMax < LinuxBootLayout.KernelFloor)
        {
            throw new BootImageException($"initrd_addr_max 0x{InitrdAddressMax:x} is below 1 MiB");
        }

        if (CommandLineSize == 0)
        {
            throw new BootImageException("cmdline_size is 0");
        }
    }

    private static ushort U16(ReadOnlySpan<byte> image, int offset) => BinaryPrimitives.ReadUInt16LittleEndian(image[offset..]);

    private static uint U32(ReadOnlySpan<byte> image, int offset) => BinaryPrimitives.ReadUInt32LittleEndian(image[offset..]);
}
