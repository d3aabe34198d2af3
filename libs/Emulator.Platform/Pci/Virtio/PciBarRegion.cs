namespace Emulator.Platform;

/// <summary>
/// A BAR's range on the <see cref="MmioBus"/>: registered once at the address the BAR held then, it
/// forwards accesses to <paramref name="inner"/> only while memory decoding is on and the BAR still
/// holds that address (Linux turns decoding off while it sizes BARs). The bus has no dynamic
/// remapping, so a guest that moves a BAR elsewhere loses the device, reading all ones.
/// </summary>
public sealed class PciBarRegion(PciFunction function, int bar, ulong baseAddress, IMmioDevice inner) : IMmioDevice
{
    private const ushort MemoryEnable = 0x2;

    public ulong BaseAddress => baseAddress;

    /// <summary>Registers BAR <paramref name="bar"/> of <paramref name="function"/> at the address it holds now.</summary>
    public static PciBarRegion Map(MmioBus mmio, PciFunction function, int bar, IMmioDevice inner, string name)
    {
        ArgumentNullException.ThrowIfNull(mmio);
        ArgumentNullException.ThrowIfNull(function);
        ulong at = function.BarAddress(bar);
        if (at == 0)
        {
            throw new InvalidOperationException($"{name}: BAR {bar} has no address yet (assign PCI resources first)");
        }

        var region = new PciBarRegion(function, bar, at, inner);
        mmio.Register(at, function.BarSize(bar), region, name);
        return region;
    }

    public void Read(ulong offset, Span<byte> destination)
    {
        if (Decodes)
        {
            inner.Read(offset, destination);
        }
        else
        {
            destination.Fill(0xFF);
        }
    }

    public void Write(ulong offset, ReadOnlySpan<byte> source)
    {
        if (Decodes)
        {
            inner.Write(offset, source);
        }
    }

    private bool Decodes => (function.Command & MemoryEnable) != 0 && function.BarAddress(bar) == baseAddress;
}
