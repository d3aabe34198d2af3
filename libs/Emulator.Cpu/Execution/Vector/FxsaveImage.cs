using System.Buffers.Binary;

namespace Emulator.Cpu;

/// <summary>
/// The 512-byte FXSAVE image (SDM vol. 1, 10.5.1, Tables 10-2 and 10-3) built from and loaded into
/// <see cref="CpuState"/>: x87 control/status/abridged tag, FOP, FIP/FDP (64-bit offsets with REX.W,
/// else 32-bit offsets with FCS/FDS), MXCSR and its mask, ST0-ST7 in stack order (ST(i) is physical
/// R[(TOP + i) mod 8]) with zeroed padding, then the XMM registers. Bytes 416-511 are never written,
/// as the hardware leaves them to software.
/// </summary>
public static class FxsaveImage
{
    /// <summary>The bytes FXSAVE writes: the fixed header, x87 registers and all 16 XMM registers.</summary>
    public const int WrittenSize = 416;

    public const int Size = 512;

    /// <summary>
    /// Fills <paramref name="image"/> (<see cref="WrittenSize"/> bytes). <paramref name="xmmCount"/> is 16 in 64-bit
    /// mode and 8 otherwise; the remaining XMM slots are left as they are in <paramref name="image"/>.
    /// </summary>
    public static void Save(in CpuState state, Span<byte> image, bool wide, int xmmCount)
    {
        image[..160].Clear();
        BinaryPrimitives.WriteUInt16LittleEndian(image, state.Fcw);
        BinaryPrimitives.WriteUInt16LittleEndian(image[2..], state.FswWithTop);
        image[4] = state.Ftw;
        BinaryPrimitives.WriteUInt16LittleEndian(image[6..], (ushort)(state.Fop & 0x7FF));
        if (wide)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(image[8..], state.Fip);
            BinaryPrimitives.WriteUInt64LittleEndian(image[16..], state.Fdp);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(image[8..], (uint)state.Fip);
            BinaryPrimitives.WriteUInt16LittleEndian(image[12..], state.Fcs);
            BinaryPrimitives.WriteUInt32LittleEndian(image[16..], (uint)state.Fdp);
            BinaryPrimitives.WriteUInt16LittleEndian(image[20..], state.Fds);
        }

        BinaryPrimitives.WriteUInt32LittleEndian(image[24..], state.Mxcsr);
        BinaryPrimitives.WriteUInt32LittleEndian(image[28..], VectorAccess.MxcsrMask);
        for (int i = 0; i < X87RegisterFile.Count; i++)
        {
            Float80 r = state.Fpr[(state.FpuTop + i) & 7];
            BinaryPrimitives.WriteUInt64LittleEndian(image[(32 + (16 * i))..], r.Significand);
            BinaryPrimitives.WriteUInt16LittleEndian(image[(40 + (16 * i))..], r.SignExponent);
        }

        for (int i = 0; i < xmmCount; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(image[(160 + (16 * i))..], state.Xmm[i].Low);
            BinaryPrimitives.WriteUInt64LittleEndian(image[(168 + (16 * i))..], state.Xmm[i].High);
        }
    }

    /// <summary>The MXCSR an image would load; the caller rejects reserved bits (#GP) before <see cref="Load"/>.</summary>
    public static uint MxcsrOf(ReadOnlySpan<byte> image) => BinaryPrimitives.ReadUInt32LittleEndian(image[24..]);

    public static void Load(ref CpuState state, ReadOnlySpan<byte> image, bool wide, int xmmCount, bool loadSse)
    {
        state.Fcw = BinaryPrimitives.ReadUInt16LittleEndian(image);
        ushort fsw = BinaryPrimitives.ReadUInt16LittleEndian(image[2..]);
        state.Fsw = (ushort)(fsw & ~0x3800);
        state.FpuTop = (byte)((fsw >> 11) & 7);
        state.Ftw = image[4];
        state.Fop = (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(image[6..]) & 0x7FF);
        if (wide)
        {
            state.Fip = BinaryPrimitives.ReadUInt64LittleEndian(image[8..]);
            state.Fdp = BinaryPrimitives.ReadUInt64LittleEndian(image[16..]);
        }
        else
        {
            state.Fip = BinaryPrimitives.ReadUInt32LittleEndian(image[8..]);
            state.Fcs = BinaryPrimitives.ReadUInt16LittleEndian(image[12..]);
            state.Fdp = BinaryPrimitives.ReadUInt32LittleEndian(image[16..]);
            state.Fds = BinaryPrimitives.ReadUInt16LittleEndian(image[20..]);
        }

        for (int i = 0; i < X87RegisterFile.Count; i++)
        {
            ref Float80 r = ref state.Fpr[(state.FpuTop + i) & 7];
            r.Significand = BinaryPrimitives.ReadUInt64LittleEndian(image[(32 + (16 * i))..]);
            r.SignExponent = BinaryPrimitives.ReadUInt16LittleEndian(image[(40 + (16 * i))..]);
        }

        if (!loadSse)
        {
            return;
        }

        state.Mxcsr = MxcsrOf(image);
        for (int i = 0; i < xmmCount; i++)
        {
            state.Xmm[i].Low = BinaryPrimitives.ReadUInt64LittleEndian(image[(160 + (16 * i))..]);
            state.Xmm[i].High = BinaryPrimitives.ReadUInt64LittleEndian(image[(168 + (16 * i))..]);
        }
    }
}
