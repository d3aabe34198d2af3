namespace Emulator.Platform;

/// <summary>Read-only memory on the MMIO bus: reads copy out, writes are dropped (as QEMU's ROM regions). Past the end reads all ones.</summary>
public sealed class RomDevice : IMmioDevice
{
    private readonly ReadOnlyMemory<byte> _bytes;

    public RomDevice(ReadOnlyMemory<byte> bytes) => _bytes = bytes;

    public void Read(ulong offset, Span<byte> destination)
    {
        destination.Fill(0xFF);
        if (offset < (ulong)_bytes.Length)
        {
            ReadOnlySpan<byte> available = _bytes.Span[(int)offset..];
            available[..Math.Min(available.Length, destination.Length)].CopyTo(destination);
        }
    }

    public void Write(ulong offset, ReadOnlySpan<byte> source)
    {
    }
}
