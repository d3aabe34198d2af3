namespace Emulator.Platform;

/// <summary>
/// Read-only memory on the MMIO bus: reads copy out, writes are dropped (as QEMU's ROM regions) and
/// reported to <c>onWrite</c> (offset, length) when given, for the <c>-d guest_errors</c> log. Past the end reads all ones.
/// </summary>
public sealed class RomDevice(ReadOnlyMemory<byte> bytes, Action<ulong, int>? onWrite = null) : IMmioDevice
{
    public void Read(ulong offset, Span<byte> destination)
    {
        destination.Fill(0xFF);
        if (offset < (ulong)bytes.Length)
        {
            ReadOnlySpan<byte> available = bytes.Span[(int)offset..];
            available[..Math.Min(available.Length, destination.Length)].CopyTo(destination);
        }
    }

    public void Write(ulong offset, ReadOnlySpan<byte> source) => onWrite?.Invoke(offset, source.Length);
}
