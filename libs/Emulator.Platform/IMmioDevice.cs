namespace Emulator.Platform;

/// <summary>A device on the MMIO bus. <c>offset</c> is relative to the base it registered; an access never leaves its range.</summary>
public interface IMmioDevice
{
    void Read(ulong offset, Span<byte> destination);

    void Write(ulong offset, ReadOnlySpan<byte> source);
}
