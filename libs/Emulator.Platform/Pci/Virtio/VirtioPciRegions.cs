namespace Emulator.Platform;

/// <summary>BAR 4 of a <see cref="VirtioPciFunction"/> as an MMIO device.</summary>
internal sealed class VirtioPciRegions(VirtioPciFunction function) : IMmioDevice
{
    public void Read(ulong offset, Span<byte> destination) => function.ReadRegions(offset, destination);

    public void Write(ulong offset, ReadOnlySpan<byte> source) => function.WriteRegions(offset, source);
}
