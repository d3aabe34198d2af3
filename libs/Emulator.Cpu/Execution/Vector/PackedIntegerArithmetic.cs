using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// MMX/SSE2 packed integer add, subtract (wrapping and saturating), compare, min/max, average and
/// the logical operations including their PS/PD twins (SDM vol. 1, 9.4 and 11.4.3; vol. 2 per mnemonic).
/// </summary>
public static class PackedIntegerArithmetic
{
    public static void AddTo(DispatchTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        PackedOperation and = Lanes.Of<ulong>(static (a, b) => a & b);
        PackedOperation or = Lanes.Of<ulong>(static (a, b) => a | b);
        PackedOperation xor = Lanes.Of<ulong>(static (a, b) => a ^ b);
        PackedOperation andNot = Lanes.Of<ulong>(static (a, b) => ~a & b);
        foreach (Mnemonic m in new[] { Mnemonic.Pand, Mnemonic.Andps, Mnemonic.Andpd })
        {
            PackedHandler.Add(table, m, and);
        }

        foreach (Mnemonic m in new[] { Mnemonic.Por, Mnemonic.Orps, Mnemonic.Orpd })
        {
            PackedHandler.Add(table, m, or);
        }

        foreach (Mnemonic m in new[] { Mnemonic.Pxor, Mnemonic.Xorps, Mnemonic.Xorpd })
        {
            PackedHandler.Add(table, m, xor);
        }

        foreach (Mnemonic m in new[] { Mnemonic.Pandn, Mnemonic.Andnps, Mnemonic.Andnpd })
        {
            PackedHandler.Add(table, m, andNot);
        }

        PackedHandler.Add(table, Mnemonic.Paddb, Lanes.Of<byte>(static (a, b) => (byte)(a + b)));
        PackedHandler.Add(table, Mnemonic.Paddw, Lanes.Of<ushort>(static (a, b) => (ushort)(a + b)));
        PackedHandler.Add(table, Mnemonic.Paddd, Lanes.Of<uint>(static (a, b) => a + b));
        PackedHandler.Add(table, Mnemonic.Paddq, Lanes.Of<ulong>(static (a, b) => a + b));
        PackedHandler.Add(table, Mnemonic.Psubb, Lanes.Of<byte>(static (a, b) => (byte)(a - b)));
        PackedHandler.Add(table, Mnemonic.Psubw, Lanes.Of<ushort>(static (a, b) => (ushort)(a - b)));
        PackedHandler.Add(table, Mnemonic.Psubd, Lanes.Of<uint>(static (a, b) => a - b));
        PackedHandler.Add(table, Mnemonic.Psubq, Lanes.Of<ulong>(static (a, b) => a - b));
        PackedHandler.Add(table, Mnemonic.Paddsb, Lanes.Of<sbyte>(static (a, b) => Lanes.SaturateSByte(a + b)));
        PackedHandler.Add(table, Mnemonic.Paddsw, Lanes.Of<short>(static (a, b) => Lanes.SaturateShort(a + b)));
        PackedHandler.Add(table, Mnemonic.Paddusb, Lanes.Of<byte>(static (a, b) => Lanes.SaturateByte(a + b)));
        PackedHandler.Add(table, Mnemonic.Paddusw, Lanes.Of<ushort>(static (a, b) => Lanes.SaturateUShort(a + b)));
        PackedHandler.Add(table, Mnemonic.Psubsb, Lanes.Of<sbyte>(static (a, b) => Lanes.SaturateSByte(a - b)));
        PackedHandler.Add(table, Mnemonic.Psubsw, Lanes.Of<short>(static (a, b) => Lanes.SaturateShort(a - b)));
        PackedHandler.Add(table, Mnemonic.Psubusb, Lanes.Of<byte>(static (a, b) => Lanes.SaturateByte(a - b)));
        PackedHandler.Add(table, Mnemonic.Psubusw, Lanes.Of<ushort>(static (a, b) => Lanes.SaturateUShort(a - b)));

        PackedHandler.Add(table, Mnemonic.Pcmpeqb, Lanes.Of<byte>(static (a, b) => a == b ? byte.MaxValue : (byte)0));
        PackedHandler.Add(table, Mnemonic.Pcmpeqw, Lanes.Of<ushort>(static (a, b) => a == b ? ushort.MaxValue : (ushort)0));
        PackedHandler.Add(table, Mnemonic.Pcmpeqd, Lanes.Of<uint>(static (a, b) => a == b ? uint.MaxValue : 0));
        PackedHandler.Add(table, Mnemonic.Pcmpgtb, Lanes.Of<sbyte>(static (a, b) => a > b ? (sbyte)-1 : (sbyte)0));
        PackedHandler.Add(table, Mnemonic.Pcmpgtw, Lanes.Of<short>(static (a, b) => a > b ? (short)-1 : (short)0));
        PackedHandler.Add(table, Mnemonic.Pcmpgtd, Lanes.Of<int>(static (a, b) => a > b ? -1 : 0));

        PackedHandler.Add(table, Mnemonic.Pminub, Lanes.Of<byte>(static (a, b) => Math.Min(a, b)));
        PackedHandler.Add(table, Mnemonic.Pmaxub, Lanes.Of<byte>(static (a, b) => Math.Max(a, b)));
        PackedHandler.Add(table, Mnemonic.Pminsw, Lanes.Of<short>(static (a, b) => Math.Min(a, b)));
        PackedHandler.Add(table, Mnemonic.Pmaxsw, Lanes.Of<short>(static (a, b) => Math.Max(a, b)));
        PackedHandler.Add(table, Mnemonic.Pavgb, Lanes.Of<byte>(static (a, b) => (byte)((a + b + 1) >> 1)));
        PackedHandler.Add(table, Mnemonic.Pavgw, Lanes.Of<ushort>(static (a, b) => (ushort)((a + b + 1) >> 1)));

        PackedHandler.Add(table, Mnemonic.Pabsb, Lanes.OfSource<sbyte>(static b => (sbyte)Math.Abs((int)b)));
        PackedHandler.Add(table, Mnemonic.Pabsw, Lanes.OfSource<short>(static b => (short)Math.Abs((int)b)));
        PackedHandler.Add(table, Mnemonic.Pabsd, Lanes.OfSource<int>(static b => (int)Math.Abs((long)b)));
        PackedHandler.Add(table, Mnemonic.Psignb, Lanes.Of<sbyte>(static (a, b) => b < 0 ? (sbyte)-a : b == 0 ? (sbyte)0 : a));
        PackedHandler.Add(table, Mnemonic.Psignw, Lanes.Of<short>(static (a, b) => b < 0 ? (short)-a : b == 0 ? (short)0 : a));
        PackedHandler.Add(table, Mnemonic.Psignd, Lanes.Of<int>(static (a, b) => b < 0 ? unchecked(-a) : b == 0 ? 0 : a));
    }
}
