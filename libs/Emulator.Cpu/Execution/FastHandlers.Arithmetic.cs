using System.Runtime.CompilerServices;
using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// Fast handlers for ADC/SBB (through <see cref="Alu{TOp}"/>) and MUL/IMUL on 32/64-bit operands,
/// with MultiplyDivideInstructions' results and flags: CF=OF for a product that does not fit,
/// SF ZF PF from the low half, AF clear.
/// </summary>
internal static partial class FastHandlers
{
    private static InstructionHandler? Multiply(in Instruction i)
    {
        if (i.OpCount != 1)
        {
            return null;
        }

        return RmSize(i) switch
        {
            4 => static (ExecutionContext c, in Instruction i) => UnsignedWide<W32>(c, i),
            8 => static (ExecutionContext c, in Instruction i) => UnsignedWide<W64>(c, i),
            _ => null,
        };
    }

    private static InstructionHandler? SignedMultiply(in Instruction i)
    {
        int size = RmSize(i);
        if (i.OpCount == 1)
        {
            return size switch
            {
                4 => static (ExecutionContext c, in Instruction i) => SignedWide<W32>(c, i),
                8 => static (ExecutionContext c, in Instruction i) => SignedWide<W64>(c, i),
                _ => null,
            };
        }

        if (i.Op0Kind != OpKind.Register || i.Op0Register.GetSize() is not (4 or 8))
        {
            return null;
        }

        bool wide = i.Op0Register.GetSize() == 8;
        return (wide, i.OpCount) switch
        {
            (false, 2) => static (ExecutionContext c, in Instruction i) => SignedTruncated<W32>(c, i, 1, false),
            (true, 2) => static (ExecutionContext c, in Instruction i) => SignedTruncated<W64>(c, i, 1, false),
            (false, 3) => static (ExecutionContext c, in Instruction i) => SignedTruncated<W32>(c, i, 2, true),
            (true, 3) => static (ExecutionContext c, in Instruction i) => SignedTruncated<W64>(c, i, 2, true),
            _ => null,
        };
    }

    /// <summary>The size of the r/m operand (operand 0 for the one-operand forms, else 1), 0 when it is neither.</summary>
    private static int RmSize(in Instruction i)
    {
        int op = i.OpCount == 1 ? 0 : 1;
        return i.GetOpKind(op) switch
        {
            OpKind.Register => i.GetOpRegister(op).GetSize(),
            OpKind.Memory => i.MemorySize.GetSize(),
            _ => 0,
        };
    }

    /// <summary>Reads the 32/64-bit register or memory operand <paramref name="op"/> (a read access).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryReadRm<TWidth>(ExecutionContext c, in Instruction i, int op, out ulong value)
        where TWidth : struct, IWidth
    {
        if (i.GetOpKind(op) == OpKind.Register)
        {
            value = c.State.Gpr[i.GetOpRegister(op) - TWidth.First] & TWidth.Mask;
            return true;
        }

        if (!TryLinear(c, i, TWidth.Size, MemoryAccess.Read, out ulong linear) || !c.TryReadMemory(linear, TWidth.Size, out value))
        {
            value = 0;
            return false;
        }

        value &= TWidth.Mask;
        return true;
    }

    /// <summary>MUL r/m: rDX:rAX = rAX * r/m.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ExitReason UnsignedWide<TWidth>(ExecutionContext c, in Instruction i)
        where TWidth : struct, IWidth
    {
        if (!TryReadRm<TWidth>(c, i, 0, out ulong b))
        {
            return ExitReason.Exception;
        }

        ref CpuState s = ref c.State;
        ulong a = s.Gpr[0] & TWidth.Mask;
        ulong low;
        ulong high;
        if (TWidth.Size == 8)
        {
            high = Math.BigMul(a, b, out low);
        }
        else
        {
            ulong product = a * b;
            low = product & TWidth.Mask;
            high = product >> 32;
        }

        s.Gpr[0] = low;
        s.Gpr[2] = high;
        ulong overflow = high != 0 ? RflagsBits.CF | RflagsBits.OF : 0;
        s.Rflags = (s.Rflags & ~FlagMath.Status) | ResultFlags<TWidth>(low) | overflow | RflagsBits.Fixed1;
        return ExitReason.Continue;
    }

    /// <summary>One-operand IMUL r/m: rDX:rAX = rAX * r/m, signed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ExitReason SignedWide<TWidth>(ExecutionContext c, in Instruction i)
        where TWidth : struct, IWidth
    {
        if (!TryReadRm<TWidth>(c, i, 0, out ulong b))
        {
            return ExitReason.Exception;
        }

        ref CpuState s = ref c.State;
        ulong low = SignedProduct<TWidth>(s.Gpr[0] & TWidth.Mask, b, out ulong high, out bool overflow);
        s.Gpr[0] = low;
        s.Gpr[2] = high;
        s.Rflags = (s.Rflags & ~FlagMath.Status) | ResultFlags<TWidth>(low) | (overflow ? RflagsBits.CF | RflagsBits.OF : 0) | RflagsBits.Fixed1;
        return ExitReason.Continue;
    }

    /// <summary>
    /// IMUL reg, r/m (<paramref name="immediate"/> false: reg * r/m) and IMUL reg, r/m, imm (r/m * imm): the low half into reg.
    /// <paramref name="source"/> is the r/m operand's index.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ExitReason SignedTruncated<TWidth>(ExecutionContext c, in Instruction i, int source, bool immediate)
        where TWidth : struct, IWidth
    {
        ref CpuState s = ref c.State;
        ulong a;
        ulong b;
        if (immediate)
        {
            if (!TryReadRm<TWidth>(c, i, 1, out a))
            {
                return ExitReason.Exception;
            }

            b = i.GetImmediate(2) & TWidth.Mask;
        }
        else
        {
            a = Destination<TWidth>(ref s, i) & TWidth.Mask;
            if (!TryReadRm<TWidth>(c, i, source, out b))
            {
                return ExitReason.Exception;
            }
        }

        ulong low = SignedProduct<TWidth>(a, b, out _, out bool truncated);
        Destination<TWidth>(ref s, i) = low;
        s.Rflags = (s.Rflags & ~FlagMath.Status) | ResultFlags<TWidth>(low) | (truncated ? RflagsBits.CF | RflagsBits.OF : 0) | RflagsBits.Fixed1;
        return ExitReason.Continue;
    }

    /// <summary>The signed product's low and high halves, each masked, and whether the high half is more than the low half's sign.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong SignedProduct<TWidth>(ulong a, ulong b, out ulong high, out bool overflow)
        where TWidth : struct, IWidth
    {
        if (TWidth.Size == 8)
        {
            long wide = Math.BigMul((long)a, (long)b, out long low);
            high = (ulong)wide;
            overflow = wide != (low >> 63);
            return (ulong)low;
        }

        long product = (long)(int)a * (int)b;
        ulong lowPart = (ulong)product & 0xFFFF_FFFF;
        high = (ulong)(product >> 32) & 0xFFFF_FFFF;
        overflow = product != (int)lowPart;
        return lowPart;
    }

    /// <summary>ADC: a + b + CF; CF also when the carry-in wraps the sum back to a.</summary>
    private struct AddCarry : IAlu
    {
        public static bool WriteBack => true;

        public static bool UsesCarry => true;

        public static ulong Compute<TWidth>(ulong a, ulong b, ulong carry, out ulong flags)
            where TWidth : struct, IWidth
        {
            ulong result = (a + b + carry) & TWidth.Mask;
            flags = ResultFlags<TWidth>(result)
                | (result < a || (carry != 0 && result == a) ? RflagsBits.CF : 0)
                | ((a ^ b ^ result) & RflagsBits.AF)
                | ((((a ^ result) & (b ^ result)) >> (TWidth.Bits - 1)) << 11);
            return result;
        }
    }

    /// <summary>SBB: a - b - CF; CF also when the borrow-in meets a equal to b.</summary>
    private struct SubBorrow : IAlu
    {
        public static bool WriteBack => true;

        public static bool UsesCarry => true;

        public static ulong Compute<TWidth>(ulong a, ulong b, ulong carry, out ulong flags)
            where TWidth : struct, IWidth
        {
            ulong result = (a - b - carry) & TWidth.Mask;
            flags = ResultFlags<TWidth>(result)
                | (a < b || (carry != 0 && a == b) ? RflagsBits.CF : 0)
                | ((a ^ b ^ result) & RflagsBits.AF)
                | ((((a ^ b) & (a ^ result)) >> (TWidth.Bits - 1)) << 11);
            return result;
        }
    }
}
