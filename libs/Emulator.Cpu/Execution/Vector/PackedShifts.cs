using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// PSLL/PSRL/PSRA by an immediate or by the source's whole low quadword (a count at or above the
/// lane width clears the lane, or fills it with the sign for PSRA), and the SSE2 byte shifts PSLLDQ/PSRLDQ.
/// </summary>
public static class PackedShifts
{
    public static void AddTo(DispatchTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        PackedHandler.Add(table, Mnemonic.Psllw, Shift<ushort>(16, static (v, n) => (ushort)(v << n)));
        PackedHandler.Add(table, Mnemonic.Pslld, Shift<uint>(32, static (v, n) => v << n));
        PackedHandler.Add(table, Mnemonic.Psllq, Shift<ulong>(64, static (v, n) => v << n));
        PackedHandler.Add(table, Mnemonic.Psrlw, Shift<ushort>(16, static (v, n) => (ushort)(v >> n)));
        PackedHandler.Add(table, Mnemonic.Psrld, Shift<uint>(32, static (v, n) => v >> n));
        PackedHandler.Add(table, Mnemonic.Psrlq, Shift<ulong>(64, static (v, n) => v >> n));
        PackedHandler.Add(table, Mnemonic.Psraw, ShiftArithmetic<short>(16, static (v, n) => (short)(v >> n)));
        PackedHandler.Add(table, Mnemonic.Psrad, ShiftArithmetic<int>(32, static (v, n) => v >> n));
        PackedHandler.Add(table, Mnemonic.Pslldq, static (d, s, width, _) => ShiftBytesLeft(d, width, s[0]));
        PackedHandler.Add(table, Mnemonic.Psrldq, static (d, s, width, _) => ShiftBytesRight(d, width, s[0]));
    }

    /// <summary>Logical shifts: any count at or above <paramref name="bits"/> gives zero.</summary>
    private static PackedOperation Shift<T>(int bits, Func<T, int, T> shift)
        where T : unmanaged =>
        (destination, source, width, _) =>
        {
            ulong count = Count(source);
            Lanes.Map<T>(destination, destination, width, (v, _) => count >= (ulong)bits ? default : shift(v, (int)count));
        };

    /// <summary>Arithmetic shifts: a count at or above <paramref name="bits"/> acts as bits - 1 (the sign fills the lane).</summary>
    private static PackedOperation ShiftArithmetic<T>(int bits, Func<T, int, T> shift)
        where T : unmanaged =>
        (destination, source, width, _) =>
        {
            int count = (int)Math.Min(Count(source), (ulong)(bits - 1));
            Lanes.Map<T>(destination, destination, width, (v, _) => shift(v, count));
        };

    private static ulong Count(ReadOnlySpan<byte> source) => System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(source);

    private static void ShiftBytesLeft(Span<byte> destination, int width, byte count)
    {
        int n = Math.Min((int)count, width);
        for (int i = width - 1; i >= 0; i--)
        {
            destination[i] = i >= n ? destination[i - n] : (byte)0;
        }
    }

    private static void ShiftBytesRight(Span<byte> destination, int width, byte count)
    {
        int n = Math.Min((int)count, width);
        for (int i = 0; i < width; i++)
        {
            destination[i] = i + n < width ? destination[i + n] : (byte)0;
        }
    }
}
