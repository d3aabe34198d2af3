using System.Runtime.InteropServices;
using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// Data rearrangement: unpack/interleave (PUNPCK*, UNPCK*PS/PD), pack with saturation (PACKSSWB,
/// PACKSSDW, PACKUSWB), shuffles (PSHUFD/LW/HW, PSHUFW, SHUFPS/PD, PSHUFB), PALIGNR, the SSE3
/// duplicates (MOVSHDUP, MOVSLDUP, MOVDDUP) and PINSRW. Each works on a copy of the destination so
/// it may read any lane while writing.
/// </summary>
public static class PackedShuffles
{
    public static void AddTo(DispatchTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        PackedHandler.Add(table, Mnemonic.Punpcklbw, UnpackLow<byte>);
        PackedHandler.Add(table, Mnemonic.Punpcklwd, UnpackLow<ushort>);
        PackedHandler.Add(table, Mnemonic.Punpckldq, UnpackLow<uint>);
        PackedHandler.Add(table, Mnemonic.Punpcklqdq, UnpackLow<ulong>);
        PackedHandler.Add(table, Mnemonic.Punpckhbw, UnpackHigh<byte>);
        PackedHandler.Add(table, Mnemonic.Punpckhwd, UnpackHigh<ushort>);
        PackedHandler.Add(table, Mnemonic.Punpckhdq, UnpackHigh<uint>);
        PackedHandler.Add(table, Mnemonic.Punpckhqdq, UnpackHigh<ulong>);
        PackedHandler.Add(table, Mnemonic.Unpcklps, UnpackLow<uint>);
        PackedHandler.Add(table, Mnemonic.Unpckhps, UnpackHigh<uint>);
        PackedHandler.Add(table, Mnemonic.Unpcklpd, UnpackLow<ulong>);
        PackedHandler.Add(table, Mnemonic.Unpckhpd, UnpackHigh<ulong>);
        PackedHandler.Add(table, Mnemonic.Packsswb, Pack<short, sbyte>(static v => Lanes.SaturateSByte(v)));
        PackedHandler.Add(table, Mnemonic.Packuswb, Pack<short, byte>(static v => Lanes.SaturateByte(v)));
        PackedHandler.Add(table, Mnemonic.Packssdw, Pack<int, short>(static v => Lanes.SaturateShort(v)));
        PackedHandler.Add(table, Mnemonic.Pshufd, ShuffleDoublewords);
        PackedHandler.Add(table, Mnemonic.Pshufw, ShuffleWords);
        PackedHandler.Add(table, Mnemonic.Pshuflw, ShuffleLowWords);
        PackedHandler.Add(table, Mnemonic.Pshufhw, ShuffleHighWords);
        PackedHandler.Add(table, Mnemonic.Shufps, ShuffleSingles);
        PackedHandler.Add(table, Mnemonic.Shufpd, ShuffleDoubles);
        PackedHandler.Add(table, Mnemonic.Pshufb, ShuffleBytes);
        PackedHandler.Add(table, Mnemonic.Palignr, AlignRight);
        PackedHandler.Add(table, Mnemonic.Movshdup, static (d, s, w, i) => Duplicate(d, s, 1));
        PackedHandler.Add(table, Mnemonic.Movsldup, static (d, s, w, i) => Duplicate(d, s, 0));
        PackedHandler.Add(table, Mnemonic.Movddup, static (d, s, w, i) =>
        {
            s[..8].CopyTo(d);
            s[..8].CopyTo(d[8..]);
        });
        InstructionHandler insertWord = PackedHandler.Of(static (d, s, w, imm) =>
        {
            int index = imm & ((w / 2) - 1);
            d[2 * index] = s[0];
            d[(2 * index) + 1] = s[1];
        });
        table.Add(Mnemonic.Pinsrw, insertWord, registers: PackedHandler.Registers | OperandRegisters.General);
    }

    private static void UnpackLow<T>(Span<byte> destination, ReadOnlySpan<byte> source, int width, byte immediate)
        where T : unmanaged => Interleave<T>(destination, source, width, 0);

    private static void UnpackHigh<T>(Span<byte> destination, ReadOnlySpan<byte> source, int width, byte immediate)
        where T : unmanaged => Interleave<T>(destination, source, width, width / 2);

    private static void Interleave<T>(Span<byte> destination, ReadOnlySpan<byte> source, int width, int offset)
        where T : unmanaged
    {
        Span<byte> original = stackalloc byte[16];
        destination[..width].CopyTo(original);
        ReadOnlySpan<T> d = MemoryMarshal.Cast<byte, T>(original[offset..(offset + (width / 2))]);
        ReadOnlySpan<T> s = MemoryMarshal.Cast<byte, T>(source[offset..(offset + (width / 2))]);
        Span<T> result = MemoryMarshal.Cast<byte, T>(destination[..width]);
        for (int i = 0; i < d.Length; i++)
        {
            result[2 * i] = d[i];
            result[(2 * i) + 1] = s[i];
        }
    }

    private static PackedOperation Pack<TWide, TNarrow>(Func<TWide, TNarrow> saturate)
        where TWide : unmanaged
        where TNarrow : unmanaged =>
        (destination, source, width, _) =>
        {
            Span<byte> original = stackalloc byte[16];
            destination[..width].CopyTo(original);
            ReadOnlySpan<TWide> d = MemoryMarshal.Cast<byte, TWide>(original[..width]);
            ReadOnlySpan<TWide> s = MemoryMarshal.Cast<byte, TWide>(source[..width]);
            Span<TNarrow> result = MemoryMarshal.Cast<byte, TNarrow>(destination[..width]);
            for (int i = 0; i < d.Length; i++)
            {
                result[i] = saturate(d[i]);
                result[d.Length + i] = saturate(s[i]);
            }
        };

    private static void Select<T>(Span<T> result, ReadOnlySpan<T> from, byte control, int bitsPerIndex)
        where T : unmanaged
    {
        int mask = (1 << bitsPerIndex) - 1;
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = from[(control >> (i * bitsPerIndex)) & mask];
        }
    }

    private static void ShuffleDoublewords(Span<byte> destination, ReadOnlySpan<byte> source, int width, byte immediate) =>
        Select(MemoryMarshal.Cast<byte, uint>(destination[..16]), MemoryMarshal.Cast<byte, uint>(source[..16]), immediate, 2);

    private static void ShuffleWords(Span<byte> destination, ReadOnlySpan<byte> source, int width, byte immediate) =>
        Select(MemoryMarshal.Cast<byte, ushort>(destination[..8]), MemoryMarshal.Cast<byte, ushort>(source[..8]), immediate, 2);

    private static void ShuffleLowWords(Span<byte> destination, ReadOnlySpan<byte> source, int width, byte immediate)
    {
        Select(MemoryMarshal.Cast<byte, ushort>(destination[..8]), MemoryMarshal.Cast<byte, ushort>(source[..8]), immediate, 2);
        source[8..16].CopyTo(destination[8..]);
    }

    private static void ShuffleHighWords(Span<byte> destination, ReadOnlySpan<byte> source, int width, byte immediate)
    {
        source[..8].CopyTo(destination);
        Select(MemoryMarshal.Cast<byte, ushort>(destination[8..16]), MemoryMarshal.Cast<byte, ushort>(source[8..16]), immediate, 2);
    }

    private static void ShuffleSingles(Span<byte> destination, ReadOnlySpan<byte> source, int width, byte immediate)
    {
        Span<uint> d = MemoryMarshal.Cast<byte, uint>(destination[..16]);
        ReadOnlySpan<uint> s = MemoryMarshal.Cast<byte, uint>(source[..16]);
        uint d0 = d[immediate & 3];
        uint d1 = d[(immediate >> 2) & 3];
        d[2] = s[(immediate >> 4) & 3];
        d[3] = s[(immediate >> 6) & 3];
        d[0] = d0;
        d[1] = d1;
    }

    private static void ShuffleDoubles(Span<byte> destination, ReadOnlySpan<byte> source, int width, byte immediate)
    {
        Span<ulong> d = MemoryMarshal.Cast<byte, ulong>(destination[..16]);
        ReadOnlySpan<ulong> s = MemoryMarshal.Cast<byte, ulong>(source[..16]);
        d[0] = d[immediate & 1];
        d[1] = s[(immediate >> 1) & 1];
    }

    private static void ShuffleBytes(Span<byte> destination, ReadOnlySpan<byte> source, int width, byte immediate)
    {
        Span<byte> original = stackalloc byte[16];
        destination[..width].CopyTo(original);
        for (int i = 0; i < width; i++)
        {
            destination[i] = (source[i] & 0x80) != 0 ? (byte)0 : original[source[i] & (width - 1)];
        }
    }

    /// <summary>destination:source as one 2*width-byte value, shifted right by imm8 bytes; the low width bytes remain.</summary>
    private static void AlignRight(Span<byte> destination, ReadOnlySpan<byte> source, int width, byte immediate)
    {
        Span<byte> both = stackalloc byte[32];
        source[..width].CopyTo(both);
        destination[..width].CopyTo(both[width..]);
        for (int i = 0; i < width; i++)
        {
            int from = i + immediate;
            destination[i] = from < 2 * width ? both[from] : (byte)0;
        }
    }

    private static void Duplicate(Span<byte> destination, ReadOnlySpan<byte> source, int odd)
    {
        Span<uint> d = MemoryMarshal.Cast<byte, uint>(destination[..16]);
        ReadOnlySpan<uint> s = MemoryMarshal.Cast<byte, uint>(source[..16]);
        for (int i = 0; i < 4; i += 2)
        {
            d[i] = s[i + odd];
            d[i + 1] = s[i + odd];
        }
    }
}
