using Emulator.Memory;

namespace Emulator.Platform;

/// <summary>
/// A <c>-bios</c> image as QEMU's <c>pc</c> machine maps it: the whole file as ROM ending at 4 GiB (so
/// the reset vector at 0xFFFFFFF0 is its last 16 bytes), and its last 128 KiB (or all of a smaller
/// image) also ending at 1 MiB, the ISA BIOS window at 0xE0000-0xFFFFF. The size must be a non-zero
/// multiple of 64 KiB and at most 16 MiB.
/// <para>
/// Two ways to map it: <see cref="Register"/> puts both windows on an <see cref="MmioBus"/> as real
/// ROM (reads work, writes are ignored); <see cref="CopyInto"/> copies them into guest memory regions
/// for a soft-MMU without MMIO dispatch (then guest writes to the "ROM" stick, a documented difference;
/// the low window overlays RAM either way, since RAM covers 0-1 MiB).
/// </para>
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

    /// <summary>Maps both windows as ROM on <paramref name="bus"/>.</summary>
    public void Register(MmioBus bus)
    {
        ArgumentNullException.ThrowIfNull(bus);
        bus.Register(HighBase, (ulong)Size, new RomDevice(_image), "bios");
        bus.Register(IsaBase, (ulong)IsaSize, new RomDevice(_image.AsMemory(_image.Length - IsaSize)), "isa-bios");
    }

    /// <summary>
    /// Copies the image into <paramref name="memory"/>: the high window must be a RAM region of
    /// its own (see <see cref="HighBase"/>), the ISA window lands in low RAM.
    /// </summary>
    public void CopyInto(GuestMemory memory)
    {
        ArgumentNullException.ThrowIfNull(memory);
        memory.Write(HighBase, _image);
        memory.Write(IsaBase, _image.AsSpan(_image.Length - IsaSize));
    }
}
