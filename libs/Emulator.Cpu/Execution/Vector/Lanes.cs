using System.Runtime.InteropServices;

namespace Emulator.Cpu;

/// <summary>Lane-wise helpers over little-endian byte spans: the element views the packed handlers compute with.</summary>
public static class Lanes
{
    public static void Map<T>(Span<byte> destination, ReadOnlySpan<byte> source, int width, Func<T, T, T> operation)
        where T : unmanaged
    {
        Span<T> d = MemoryMarshal.Cast<byte, T>(destination[..width]);
        ReadOnlySpan<T> s = MemoryMarshal.Cast<byte, T>(source[..width]);
        for (int i = 0; i < d.Length; i++)
        {
            d[i] = operation(d[i], s[i]);
        }
    }

    /// <summary>A lane-wise operation as a <see cref="PackedOperation"/>.</summary>
    public static PackedOperation Of<T>(Func<T, T, T> operation)
        where T : unmanaged =>
        (d, s, width, _) => Map(d, s, width, operation);

    /// <summary>A lane-wise operation of the source alone (PABS*).</summary>
    public static PackedOperation OfSource<T>(Func<T, T> operation)
        where T : unmanaged =>
        (d, s, width, _) => Map<T>(d, s, width, (_, b) => operation(b));

    public static sbyte SaturateSByte(int value) => (sbyte)Math.Clamp(value, sbyte.MinValue, sbyte.MaxValue);

    public static byte SaturateByte(int value) => (byte)Math.Clamp(value, byte.MinValue, byte.MaxValue);

    public static short SaturateShort(int value) => (short)Math.Clamp(value, short.MinValue, short.MaxValue);

    public static ushort SaturateUShort(int value) => (ushort)Math.Clamp(value, ushort.MinValue, ushort.MaxValue);
}
