using System.Runtime.InteropServices;
using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// MMX/SSE2/SSSE3 packed multiplies, multiply-adds, sum of absolute differences and the horizontal
/// add/subtract family (SDM vol. 2: PMULLW, PMULHW, PMULHUW, PMULUDQ, PMADDWD, PSADBW, PMADDUBSW,
/// PMULHRSW, PHADDW/D/SW, PHSUBW/D/SW).
/// </summary>
public static class PackedMultiply
{
    public static void AddTo(DispatchTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        PackedHandler.Add(table, Mnemonic.Pmullw, Lanes.Of<short>(static (a, b) => (short)(a * b)));
        PackedHandler.Add(table, Mnemonic.Pmulhw, Lanes.Of<short>(static (a, b) => (short)((a * b) >> 16)));
        PackedHandler.Add(table, Mnemonic.Pmulhuw, Lanes.Of<ushort>(static (a, b) => (ushort)((uint)(a * b) >> 16)));
        PackedHandler.Add(table, Mnemonic.Pmulhrsw, Lanes.Of<short>(static (a, b) => (short)((((a * b) >> 14) + 1) >> 1)));
        PackedHandler.Add(table, Mnemonic.Pmuludq, MultiplyUnsignedDoublewords);
        PackedHandler.Add(table, Mnemonic.Pmaddwd, MultiplyAddWords);
        PackedHandler.Add(table, Mnemonic.Pmaddubsw, MultiplyAddBytes);
        PackedHandler.Add(table, Mnemonic.Psadbw, SumAbsoluteDifferences);
        PackedHandler.Add(table, Mnemonic.Phaddw, Horizontal<short>(static (a, b) => (short)(a + b)));
        PackedHandler.Add(table, Mnemonic.Phaddd, Horizontal<int>(static (a, b) => a + b));
        PackedHandler.Add(table, Mnemonic.Phaddsw, Horizontal<short>(static (a, b) => Lanes.SaturateShort(a + b)));
        PackedHandler.Add(table, Mnemonic.Phsubw, Horizontal<short>(static (a, b) => (short)(a - b)));
        PackedHandler.Add(table, Mnemonic.Phsubd, Horizontal<int>(static (a, b) => a - b));
        PackedHandler.Add(table, Mnemonic.Phsubsw, Horizontal<short>(static (a, b) => Lanes.SaturateShort(a - b)));
    }

    private static void MultiplyUnsignedDoublewords(Span<byte> destination, ReadOnlySpan<byte> source, int width, byte immediate)
    {
        Span<ulong> d = MemoryMarshal.Cast<byte, ulong>(destination[..width]);
        ReadOnlySpan<ulong> s = MemoryMarshal.Cast<byte, ulong>(source[..width]);
        for (int i = 0; i < d.Length; i++)
        {
            d[i] = (d[i] & 0xFFFF_FFFF) * (s[i] & 0xFFFF_FFFF);
        }
    }

    private static void MultiplyAddWords(Span<byte> destination, ReadOnlySpan<byte> source, int width, byte immediate)
    {
        Span<short> d = MemoryMarshal.Cast<byte, short>(destination[..width]);
        ReadOnlySpan<short> s = MemoryMarshal.Cast<byte, short>(source[..width]);
        Span<int> result = MemoryMarshal.Cast<byte, int>(destination[..width]);
        for (int i = 0; i < result.Length; i++)
        {
            // 0x8000 * 0x8000 twice wraps to 0x8000_0000, as the hardware's does.
            result[i] = unchecked((d[2 * i] * s[2 * i]) + (d[(2 * i) + 1] * s[(2 * i) + 1]));
        }
    }

    private static void MultiplyAddBytes(Span<byte> destination, ReadOnlySpan<byte> source, int width, byte immediate)
    {
        Span<short> result = MemoryMarshal.Cast<byte, short>(destination[..width]);
        for (int i = 0; i < result.Length; i++)
        {
            int low = destination[2 * i] * (sbyte)source[2 * i];
            int high = destination[(2 * i) + 1] * (sbyte)source[(2 * i) + 1];
            result[i] = Lanes.SaturateShort(low + high);
        }
    }

    private static void SumAbsoluteDifferences(Span<byte> destination, ReadOnlySpan<byte> source, int width, byte immediate)
    {
        Span<ulong> result = MemoryMarshal.Cast<byte, ulong>(destination[..width]);
        for (int q = 0; q < result.Length; q++)
        {
            ulong sum = 0;
            for (int b = 0; b < 8; b++)
            {
                sum += (ulong)Math.Abs(destination[(8 * q) + b] - source[(8 * q) + b]);
            }

            result[q] = sum;
        }
    }

    /// <summary>Pairs of adjacent destination lanes, then pairs of source lanes, each combined by <paramref name="operation"/> (even lane first).</summary>
    private static PackedOperation Horizontal<T>(Func<T, T, T> operation)
        where T : unmanaged =>
        (destination, source, width, _) =>
        {
            Span<byte> original = stackalloc byte[16];
            destination[..width].CopyTo(original);
            ReadOnlySpan<T> d = MemoryMarshal.Cast<byte, T>(original[..width]);
            ReadOnlySpan<T> s = MemoryMarshal.Cast<byte, T>(source[..width]);
            Span<T> result = MemoryMarshal.Cast<byte, T>(destination[..width]);
            int half = result.Length / 2;
            for (int i = 0; i < half; i++)
            {
                result[i] = operation(d[2 * i], d[(2 * i) + 1]);
                result[half + i] = operation(s[2 * i], s[(2 * i) + 1]);
            }
        };
}
