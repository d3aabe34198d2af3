namespace Emulator.Platform;

/// <summary>
/// A <c>-bios</c> image as QEMU's <c>pc</c> machine maps it: the whole file as ROM ending at 4 GiB (so
/// the reset vector at 0xFFFFFFF0 is its last 16 bytes), and its last 128 KiB (or all of a smaller
/// image) also ending at 1 MiB, the ISA BIOS window at 0xE0000-0xFFFFF. The size must be a non-zero
/// multiple of 64 KiB and at most 16 MiB.
/// <see cref="Register"/> puts both windows on the <see cref="MmioBus"/> as real ROM (reads and code
/// fetch work, writes are ignored); RAM must leave both windows out (<see cref="RamAround"/>).
/// </summary>
public sealed class FirmwareImage
{
    public const int Granule = 64 * 1024;
    public const int MaximumSize = 16 * 1024 * 1024;
    public const int IsaWindow = 128 * 1024;

    private readonly byte[] _image;

    private FirmwareImage(byte[] image) => _image = image;

    public int Size => _image.Length;

    public ulong HighBase => RamLayout.HighMemoryBase - (ulong)_image.Length;

    public int IsaSize => Math.Min(_image.Length, IsaWindow);

    public ulong IsaBase => 0x10_0000 - (ulong)IsaSize;

    public ReadOnlySpan<byte> Bytes => _image;

    /// <summary>Checks the size rule; <paramref name="name"/> (the file name) is used in the error.</summary>
    public static FirmwareImage Create(byte[] image, string name)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Length == 0 || image.Length % Granule != 0 || image.Length > MaximumSize)
        {
            throw new BootImageException(
                $"could not load PC BIOS '{name}': its size ({image.Length} bytes) must be a non-zero multiple of 64 KiB, at most 16 MiB");
        }

        return new FirmwareImage((byte[])image.Clone());
    }

    /// <summary>Maps both windows as ROM on <paramref name="bus"/>; <paramref name="onWrite"/> hears of each dropped write (physical address, length).</summary>
    public void Register(MmioBus bus, Action<ulong, int>? onWrite = null)
    {
        ArgumentNullException.ThrowIfNull(bus);
        ulong high = HighBase;
        ulong isa = IsaBase;
        Action<ulong, int>? highWrite = onWrite is null ? null : (offset, length) => onWrite(high + offset, length);
        Action<ulong, int>? isaWrite = onWrite is null ? null : (offset, length) => onWrite(isa + offset, length);
        bus.Register(HighBase, (ulong)Size, new RomDevice(_image, highWrite), "bios");
        bus.Register(IsaBase, (ulong)IsaSize, new RomDevice(_image.AsMemory(_image.Length - IsaSize), isaWrite), "isa-bios");
    }

    /// <summary>The RAM regions of <paramref name="layout"/> with the ISA window cut out (the high window lies in the PCI hole already).</summary>
    public IReadOnlyList<(ulong Base, ulong Size)> RamAround(RamLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        List<(ulong Base, ulong Size)> regions = [];
        foreach ((ulong b, ulong size) in layout.Regions)
        {
            ulong end = b + size;
            ulong holeEnd = IsaBase + (ulong)IsaSize;
            if (b < holeEnd && IsaBase < end)
            {
                if (b < IsaBase)
                {
                    regions.Add((b, IsaBase - b));
                }

                if (holeEnd < end)
                {
                    regions.Add((holeEnd, end - holeEnd));
                }
            }
            else
            {
                regions.Add((b, size));
            }
        }

        return regions;
    }
}
