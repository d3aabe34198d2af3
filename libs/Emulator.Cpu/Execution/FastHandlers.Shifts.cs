using System.Numerics;
using System.Runtime.CompilerServices;
using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// Fast handlers for SHL/SHR/SAR/ROL/ROR of a 32/64-bit register by an immediate or CL, with
/// ShiftRotateInstructions' results and flags: a masked count of 0 changes no flag (the register
/// is still written, zero-extending a 32-bit one); shifts set SF ZF PF CF OF and clear AF
/// (SAR clears OF); rotates change only CF and OF.
/// </summary>
internal static partial class FastHandlers
{
    private interface IShift
    {
        /// <summary>Flags the operation sets (the rest of RFLAGS is kept).</summary>
        static abstract ulong Affected { get; }

        /// <summary><paramref name="count"/> is masked and nonzero; <paramref name="a"/> masked to the width.</summary>
        static abstract ulong Apply<TWidth>(ulong a, int count, out ulong flags)
            where TWidth : struct, IWidth;
    }

    private static InstructionHandler? Shift<TShift>(in Instruction i)
        where TShift : struct, IShift
    {
        if (i.OpCount != 2 || i.Op0Kind != OpKind.Register)
        {
            return null;
        }

        bool byCl = i.Op1Kind == OpKind.Register && i.Op1Register == Register.CL;
        if (!byCl && i.Op1Kind != OpKind.Immediate8)
        {
            return null;
        }

        return (i.Op0Register.GetSize(), byCl) switch
        {
            (4, false) => static (ExecutionContext c, in Instruction i) => ShiftBy<TShift, W32>(c, i, i.Immediate8),
            (4, true) => static (ExecutionContext c, in Instruction i) => ShiftBy<TShift, W32>(c, i, (int)c.State.Gpr[1]),
            (8, false) => static (ExecutionContext c, in Instruction i) => ShiftBy<TShift, W64>(c, i, i.Immediate8),
            (8, true) => static (ExecutionContext c, in Instruction i) => ShiftBy<TShift, W64>(c, i, (int)c.State.Gpr[1]),
            _ => null,
        };
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ExitReason ShiftBy<TShift, TWidth>(ExecutionContext c, in Instruction i, int rawCount)
        where TShift : struct, IShift
        where TWidth : struct, IWidth
    {
        ref CpuState s = ref c.State;
        ref ulong destination = ref Destination<TWidth>(ref s, i);
        ulong a = destination & TWidth.Mask;
        int count = rawCount & (TWidth.Size == 8 ? 0x3F : 0x1F);
        if (count == 0)
        {
            destination = a;
            return ExitReason.Continue;
        }

        destination = TShift.Apply<TWidth>(a, count, out ulong flags);
        s.Rflags = (s.Rflags & ~TShift.Affected) | flags | RflagsBits.Fixed1;
        return ExitReason.Continue;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong SignBitOf<TWidth>(ulong value)
        where TWidth : struct, IWidth => (value >> (TWidth.Bits - 1)) & 1;

    private struct ShiftLeft : IShift
    {
        public static ulong Affected => FlagMath.Status;

        public static ulong Apply<TWidth>(ulong a, int count, out ulong flags)
            where TWidth : struct, IWidth
        {
            ulong result = (a << count) & TWidth.Mask;
            ulong cf = (a >> (TWidth.Bits - count)) & 1;
            flags = ResultFlags<TWidth>(result) | cf | ((SignBitOf<TWidth>(result) ^ cf) * RflagsBits.OF);
            return result;
        }
    }

    private struct ShiftRight : IShift
    {
        public static ulong Affected => FlagMath.Status;

        public static ulong Apply<TWidth>(ulong a, int count, out ulong flags)
            where TWidth : struct, IWidth
        {
            ulong result = a >> count;
            flags = ResultFlags<TWidth>(result) | ((a >> (count - 1)) & 1) | (SignBitOf<TWidth>(a) * RflagsBits.OF);
            return result;
        }
    }

    private struct ShiftArithmetic : IShift
    {
        public static ulong Affected => FlagMath.Status;

        public static ulong Apply<TWidth>(ulong a, int count, out ulong flags)
            where TWidth : struct, IWidth
        {
            long signed = TWidth.Size == 8 ? (long)a : (int)a;
            ulong result = (ulong)(signed >> count) & TWidth.Mask;
            flags = ResultFlags<TWidth>(result) | ((ulong)(signed >> (count - 1)) & 1);
            return result;
        }
    }

    private struct RotateLeft : IShift
    {
        public static ulong Affected => RflagsBits.CF | RflagsBits.OF;

        public static ulong Apply<TWidth>(ulong a, int count, out ulong flags)
            where TWidth : struct, IWidth
        {
            ulong result = TWidth.Size == 8 ? BitOperations.RotateLeft(a, count) : BitOperations.RotateLeft((uint)a, count);
            ulong cf = result & 1;
            flags = cf | ((SignBitOf<TWidth>(result) ^ cf) * RflagsBits.OF);
            return result;
        }
    }

    private struct RotateRight : IShift
    {
        public static ulong Affected => RflagsBits.CF | RflagsBits.OF;

        public static ulong Apply<TWidth>(ulong a, int count, out ulong flags)
            where TWidth : struct, IWidth
        {
            ulong result = TWidth.Size == 8 ? BitOperations.RotateRight(a, count) : BitOperations.RotateRight((uint)a, count);
            ulong msb = SignBitOf<TWidth>(result);
            ulong next = (result >> (TWidth.Bits - 2)) & 1;
            flags = msb | ((msb ^ next) * RflagsBits.OF);
            return result;
        }
    }
}
