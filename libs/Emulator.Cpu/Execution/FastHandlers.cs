using System.Numerics;
using System.Runtime.CompilerServices;
using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// Specialised handlers for the hottest instruction forms (ADD/SUB/CMP/AND/OR/XOR/TEST, INC/DEC and
/// MOV on 32/64-bit registers and immediates, MOV between a register and memory, 64-bit Jcc/JMP
/// rel): chosen once per decoded instruction by <see cref="Select"/>, with the same results and
/// flags as the family handlers (they share <see cref="FlagMath"/>), but no operand-kind dispatch,
/// register-name decoding or size switches at run time. Forms not covered keep the table's handler.
/// Handlers are lambdas rather than method groups: a delegate over a static method goes through a
/// shuffle thunk on every call.
/// </summary>
internal static partial class FastHandlers
{
    private interface IWidth
    {
        static abstract int Size { get; }

        static abstract int Bits { get; }

        static abstract Register First { get; }

        static abstract ulong Mask { get; }
    }

    private interface ISource
    {
        static abstract ulong Read(ref CpuState s, in Instruction i);
    }

    private interface IAlu
    {
        static abstract bool WriteBack { get; }

        /// <summary>ADC/SBB: the computation takes CF as its carry-in; otherwise it ignores it.</summary>
        static abstract bool UsesCarry { get; }

        static abstract ulong Compute<TWidth>(ulong a, ulong b, ulong carry, out ulong flags)
            where TWidth : struct, IWidth;
    }

    private interface ICondition
    {
        static abstract bool Holds(ulong flags);
    }

    /// <summary>A fast handler for <paramref name="i"/> (already known to be supported), or null.</summary>
    public static InstructionHandler? Select(in Instruction i)
    {
        if (i.HasLockPrefix)
        {
            return null;
        }

        switch (i.Mnemonic)
        {
            case Mnemonic.Add: return Alu<Add>(i);
            case Mnemonic.Sub: return Alu<Sub>(i);
            case Mnemonic.Cmp: return Alu<Cmp>(i);
            case Mnemonic.And: return Alu<And>(i);
            case Mnemonic.Or: return Alu<Or>(i);
            case Mnemonic.Xor: return Alu<Xor>(i);
            case Mnemonic.Test: return Alu<Test>(i);
            case Mnemonic.Inc: return IncDec(i, decrement: false);
            case Mnemonic.Dec: return IncDec(i, decrement: true);
            case Mnemonic.Mov: return Mov(i);
            case Mnemonic.Ret when i.Code == Code.Retnq: return static (ExecutionContext c, in Instruction i) => ReturnNear64(c, i);
            case Mnemonic.Adc: return Alu<AddCarry>(i);
            case Mnemonic.Sbb: return Alu<SubBorrow>(i);
            case Mnemonic.Shl or Mnemonic.Sal: return Shift<ShiftLeft>(i);
            case Mnemonic.Shr: return Shift<ShiftRight>(i);
            case Mnemonic.Sar: return Shift<ShiftArithmetic>(i);
            case Mnemonic.Rol: return Shift<RotateLeft>(i);
            case Mnemonic.Ror: return Shift<RotateRight>(i);
            case Mnemonic.Mul: return Multiply(i);
            case Mnemonic.Imul: return SignedMultiply(i);
            case Mnemonic.Lea: return LoadEffectiveAddress(i);
            case Mnemonic.Movzx or Mnemonic.Movsx or Mnemonic.Movsxd: return Extend(i);
            case Mnemonic.Push when i.Code == Code.Push_r64: return static (ExecutionContext c, in Instruction i) => Push64(c, i);
            case Mnemonic.Pop when i.Code == Code.Pop_r64: return static (ExecutionContext c, in Instruction i) => Pop64(c, i);
            case Mnemonic.Neg: return NegateOrComplement(i, negate: true);
            case Mnemonic.Not: return NegateOrComplement(i, negate: false);
            default:
                break;
        }

        if (Conditional(i) is { } conditional)
        {
            return conditional;
        }

        if (i.OpCount == 1 && i.Op0Kind == OpKind.NearBranch64 && ControlTransferInstructions.IsCanonical(i.NearBranchTarget))
        {
            if (i.Mnemonic == Mnemonic.Jmp)
            {
                return static (ExecutionContext c, in Instruction i) => JumpAlways(c, i);
            }

            if (i.IsJccShortOrNear)
            {
                return JccFor(i.ConditionCode);
            }

            if (i.Code == Code.Call_rel32_64)
            {
                return static (ExecutionContext c, in Instruction i) => CallNear64(c, i);
            }
        }

        return null;
    }

    private static InstructionHandler? Alu<TOp>(in Instruction i)
        where TOp : struct, IAlu
    {
        if (i.OpCount != 2)
        {
            return null;
        }

        if (i.Op0Kind == OpKind.Memory)
        {
            return AluToMemory<TOp>(i);
        }

        if (i.Op0Kind != OpKind.Register)
        {
            return null;
        }

        int size = i.Op0Register.GetSize();
        return (size, i.Op1Kind) switch
        {
            (4, OpKind.Memory) => static (ExecutionContext c, in Instruction i) => BinaryFromMemory<TOp, W32>(c, i),
            (8, OpKind.Memory) => static (ExecutionContext c, in Instruction i) => BinaryFromMemory<TOp, W64>(c, i),
            (4, OpKind.Register) when i.Op1Register.GetSize() == 4 => static (ExecutionContext c, in Instruction i) => Binary<TOp, W32, Reg32>(c, i),
            (4, OpKind.Immediate32) => static (ExecutionContext c, in Instruction i) => Binary<TOp, W32, Imm32>(c, i),
            (4, OpKind.Immediate8to32) => static (ExecutionContext c, in Instruction i) => Binary<TOp, W32, Imm8To32>(c, i),
            (8, OpKind.Register) when i.Op1Register.GetSize() == 8 => static (ExecutionContext c, in Instruction i) => Binary<TOp, W64, Reg64>(c, i),
            (8, OpKind.Immediate32to64) => static (ExecutionContext c, in Instruction i) => Binary<TOp, W64, Imm32To64>(c, i),
            (8, OpKind.Immediate8to64) => static (ExecutionContext c, in Instruction i) => Binary<TOp, W64, Imm8To64>(c, i),
            _ => null,
        };
    }

    private static InstructionHandler? IncDec(in Instruction i, bool decrement)
    {
        if (i.OpCount != 1 || i.Op0Kind != OpKind.Register)
        {
            return null;
        }

        return (i.Op0Register.GetSize(), decrement) switch
        {
            (4, false) => IncDec<W32>(false),
            (4, true) => IncDec<W32>(true),
            (8, false) => IncDec<W64>(false),
            (8, true) => IncDec<W64>(true),
            _ => null,
        };
    }

    private static InstructionHandler IncDec<TWidth>(bool decrement)
        where TWidth : struct, IWidth =>
        decrement ? static (ExecutionContext c, in Instruction i) => Decrement<TWidth>(c, i) : static (ExecutionContext c, in Instruction i) => Increment<TWidth>(c, i);

    private static InstructionHandler? Mov(in Instruction i)
    {
        if (i.OpCount != 2)
        {
            return null;
        }

        if (i.Op0Kind == OpKind.Register)
        {
            Register destination = i.Op0Register;
            if (!destination.IsGPR32() && !destination.IsGPR64())
            {
                return null;
            }

            bool wide = destination.IsGPR64();
            return i.Op1Kind switch
            {
                OpKind.Register when wide && i.Op1Register.IsGPR64() => static (ExecutionContext c, in Instruction i) => Move<W64, Reg64>(c, i),
                OpKind.Register when !wide && i.Op1Register.IsGPR32() => static (ExecutionContext c, in Instruction i) => Move<W32, Reg32>(c, i),
                OpKind.Immediate32 when !wide => static (ExecutionContext c, in Instruction i) => Move<W32, Imm32>(c, i),
                OpKind.Immediate64 when wide => static (ExecutionContext c, in Instruction i) => Move<W64, Imm64>(c, i),
                OpKind.Immediate32to64 when wide => static (ExecutionContext c, in Instruction i) => Move<W64, Imm32To64>(c, i),
                OpKind.Memory when wide => static (ExecutionContext c, in Instruction i) => Load<W64>(c, i),
                OpKind.Memory when !wide => static (ExecutionContext c, in Instruction i) => Load<W32>(c, i),
                _ => null,
            };
        }

        if (i.Op0Kind == OpKind.Memory && i.Op1Kind == OpKind.Register)
        {
            Register source = i.Op1Register;
            return source.IsGPR64() ? static (ExecutionContext c, in Instruction i) => Store<W64, Reg64>(c, i)
                : source.IsGPR32() ? static (ExecutionContext c, in Instruction i) => Store<W32, Reg32>(c, i) : null;
        }

        if (i.Op0Kind == OpKind.Memory)
        {
            return i.Op1Kind switch
            {
                OpKind.Immediate32 => static (ExecutionContext c, in Instruction i) => Store<W32, Imm32>(c, i),
                OpKind.Immediate32to64 => static (ExecutionContext c, in Instruction i) => Store<W64, Imm32To64>(c, i),
                _ => null,
            };
        }

        return null;
    }

    /// <summary>SF, ZF, PF (FlagMath.Result) of a masked result.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong ResultFlags<TWidth>(ulong result)
        where TWidth : struct, IWidth =>
        ((ulong)(~BitOperations.PopCount(result & 0xFF) & 1) << 2)
        | (result == 0 ? RflagsBits.ZF : 0)
        | ((result >> (TWidth.Bits - 8)) & RflagsBits.SF);

    /// <summary>FlagMath.Add with no carry-in, for masked operands and result.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong AddFlags<TWidth>(ulong a, ulong b, ulong result)
        where TWidth : struct, IWidth =>
        ResultFlags<TWidth>(result)
        | (result < a ? RflagsBits.CF : 0)
        | ((a ^ b ^ result) & RflagsBits.AF)
        | ((((a ^ result) & (b ^ result)) >> (TWidth.Bits - 1)) << 11);

    /// <summary>FlagMath.Sub with no borrow-in, for masked operands and result.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong SubFlags<TWidth>(ulong a, ulong b, ulong result)
        where TWidth : struct, IWidth =>
        ResultFlags<TWidth>(result)
        | (a < b ? RflagsBits.CF : 0)
        | ((a ^ b ^ result) & RflagsBits.AF)
        | ((((a ^ b) & (a ^ result)) >> (TWidth.Bits - 1)) << 11);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref ulong Destination<TWidth>(ref CpuState s, in Instruction i)
        where TWidth : struct, IWidth =>
        ref s.Gpr[i.Op0Register - TWidth.First];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ExitReason Binary<TOp, TWidth, TSource>(ExecutionContext c, in Instruction i)
        where TOp : struct, IAlu
        where TWidth : struct, IWidth
        where TSource : struct, ISource
    {
        ref CpuState s = ref c.State;
        ref ulong destination = ref Destination<TWidth>(ref s, i);
        ulong a = destination & TWidth.Mask;
        ulong b = TSource.Read(ref s, i) & TWidth.Mask;
        ulong result = TOp.Compute<TWidth>(a, b, TOp.UsesCarry ? s.Rflags & RflagsBits.CF : 0, out ulong flags);
        if (TOp.WriteBack)
        {
            destination = result;
        }

        s.Rflags = (s.Rflags & ~FlagMath.Status) | flags | RflagsBits.Fixed1;
        return ExitReason.Continue;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ExitReason Increment<TWidth>(ExecutionContext c, in Instruction i)
        where TWidth : struct, IWidth
    {
        ref CpuState s = ref c.State;
        ref ulong destination = ref Destination<TWidth>(ref s, i);
        ulong a = destination & TWidth.Mask;
        ulong result = (a + 1) & TWidth.Mask;
        destination = result;
        const ulong affected = FlagMath.Status & ~RflagsBits.CF;
        s.Rflags = (s.Rflags & ~affected) | (AddFlags<TWidth>(a, 1, result) & affected) | RflagsBits.Fixed1;
        return ExitReason.Continue;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ExitReason Decrement<TWidth>(ExecutionContext c, in Instruction i)
        where TWidth : struct, IWidth
    {
        ref CpuState s = ref c.State;
        ref ulong destination = ref Destination<TWidth>(ref s, i);
        ulong a = destination & TWidth.Mask;
        ulong result = (a - 1) & TWidth.Mask;
        destination = result;
        const ulong affected = FlagMath.Status & ~RflagsBits.CF;
        s.Rflags = (s.Rflags & ~affected) | (SubFlags<TWidth>(a, 1, result) & affected) | RflagsBits.Fixed1;
        return ExitReason.Continue;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ExitReason Move<TWidth, TSource>(ExecutionContext c, in Instruction i)
        where TWidth : struct, IWidth
        where TSource : struct, ISource
    {
        ref CpuState s = ref c.State;
        Destination<TWidth>(ref s, i) = TSource.Read(ref s, i) & TWidth.Mask;
        return ExitReason.Continue;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ExitReason Load<TWidth>(ExecutionContext c, in Instruction i)
        where TWidth : struct, IWidth
    {
        if (!TryLinear(c, i, TWidth.Size, MemoryAccess.Read, out ulong linear) || !c.TryReadMemory(linear, TWidth.Size, out ulong value))
        {
            return ExitReason.Exception;
        }

        Destination<TWidth>(ref c.State, i) = value & TWidth.Mask;
        return ExitReason.Continue;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ExitReason Store<TWidth, TSource>(ExecutionContext c, in Instruction i)
        where TWidth : struct, IWidth
        where TSource : struct, ISource =>
        TryLinear(c, i, TWidth.Size, MemoryAccess.Write, out ulong linear) && c.TryWriteMemory(linear, TWidth.Size, TSource.Read(ref c.State, i) & TWidth.Mask)
            ? ExitReason.Continue : ExitReason.Exception;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ExitReason JumpAlways(ExecutionContext c, in Instruction i)
    {
        c.State.Rip = i.NearBranch64;
        return ExitReason.Continue;
    }

    /// <summary>CALL rel32 in 64-bit mode (target known canonical): ControlTransferInstructions.Call without the operand dispatch.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ExitReason CallNear64(ExecutionContext c, in Instruction i)
    {
        if (!TryPush64(c, i.NextIP))
        {
            return ExitReason.Exception;
        }

        c.State.Rip = i.NearBranch64;
        return ExitReason.Continue;
    }

    /// <summary>RET (64-bit, no immediate): ControlTransferInstructions.Ret for its commonest form.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ExitReason ReturnNear64(ExecutionContext c, in Instruction i)
    {
        if (!TryPeek64(c, out ulong target))
        {
            return ExitReason.Exception;
        }

        if (!ControlTransferInstructions.IsCanonical(target))
        {
            return c.Raise(CpuFault.GeneralProtection());
        }

        c.SetStackPointer(c.StackPointer + 8);
        c.State.Rip = target;
        return ExitReason.Continue;
    }

    /// <summary>Iced's condition codes come in pairs, a condition then its negation (o, no, b, ae, ...).</summary>
    private static InstructionHandler? JccFor(ConditionCode condition) => condition switch
    {
        ConditionCode.o => static (ExecutionContext c, in Instruction i) => Jcc<Overflow, Is>(c, i),
        ConditionCode.no => static (ExecutionContext c, in Instruction i) => Jcc<Overflow, IsNot>(c, i),
        ConditionCode.b => static (ExecutionContext c, in Instruction i) => Jcc<Below, Is>(c, i),
        ConditionCode.ae => static (ExecutionContext c, in Instruction i) => Jcc<Below, IsNot>(c, i),
        ConditionCode.e => static (ExecutionContext c, in Instruction i) => Jcc<Equal, Is>(c, i),
        ConditionCode.ne => static (ExecutionContext c, in Instruction i) => Jcc<Equal, IsNot>(c, i),
        ConditionCode.be => static (ExecutionContext c, in Instruction i) => Jcc<BelowOrEqual, Is>(c, i),
        ConditionCode.a => static (ExecutionContext c, in Instruction i) => Jcc<BelowOrEqual, IsNot>(c, i),
        ConditionCode.s => static (ExecutionContext c, in Instruction i) => Jcc<Sign, Is>(c, i),
        ConditionCode.ns => static (ExecutionContext c, in Instruction i) => Jcc<Sign, IsNot>(c, i),
        ConditionCode.p => static (ExecutionContext c, in Instruction i) => Jcc<Parity, Is>(c, i),
        ConditionCode.np => static (ExecutionContext c, in Instruction i) => Jcc<Parity, IsNot>(c, i),
        ConditionCode.l => static (ExecutionContext c, in Instruction i) => Jcc<Less, Is>(c, i),
        ConditionCode.ge => static (ExecutionContext c, in Instruction i) => Jcc<Less, IsNot>(c, i),
        ConditionCode.le => static (ExecutionContext c, in Instruction i) => Jcc<LessOrEqual, Is>(c, i),
        ConditionCode.g => static (ExecutionContext c, in Instruction i) => Jcc<LessOrEqual, IsNot>(c, i),
        _ => null,
    };

    /// <summary><typeparamref name="TSense"/> is <see cref="Is"/> (always true) or <see cref="IsNot"/> (always false): the branch goes when the condition equals it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ExitReason Jcc<TCondition, TSense>(ExecutionContext c, in Instruction i)
        where TCondition : struct, ICondition
        where TSense : struct, ICondition
    {
        ref CpuState s = ref c.State;
        if (TCondition.Holds(s.Rflags) == TSense.Holds(0))
        {
            s.Rip = i.NearBranch64;
        }

        return ExitReason.Continue;
    }

    private struct W32 : IWidth
    {
        public static int Size => 4;

        public static int Bits => 32;

        public static Register First => Register.EAX;

        public static ulong Mask => 0xFFFF_FFFF;
    }

    private struct W64 : IWidth
    {
        public static int Size => 8;

        public static int Bits => 64;

        public static Register First => Register.RAX;

        public static ulong Mask => ulong.MaxValue;
    }

    private struct Reg32 : ISource
    {
        public static ulong Read(ref CpuState s, in Instruction i) => s.Gpr[i.Op1Register - Register.EAX] & 0xFFFF_FFFF;
    }

    private struct Reg64 : ISource
    {
        public static ulong Read(ref CpuState s, in Instruction i) => s.Gpr[i.Op1Register - Register.RAX];
    }

    private struct Imm32 : ISource
    {
        public static ulong Read(ref CpuState s, in Instruction i) => i.Immediate32;
    }

    private struct Imm8To32 : ISource
    {
        public static ulong Read(ref CpuState s, in Instruction i) => (uint)i.Immediate8to32;
    }

    private struct Imm32To64 : ISource
    {
        public static ulong Read(ref CpuState s, in Instruction i) => (ulong)i.Immediate32to64;
    }

    private struct Imm8To64 : ISource
    {
        public static ulong Read(ref CpuState s, in Instruction i) => (ulong)i.Immediate8to64;
    }

    private struct Imm64 : ISource
    {
        public static ulong Read(ref CpuState s, in Instruction i) => i.Immediate64;
    }

    private struct Add : IAlu
    {
        public static bool WriteBack => true;

        public static bool UsesCarry => false;

        public static ulong Compute<TWidth>(ulong a, ulong b, ulong carry, out ulong flags)
            where TWidth : struct, IWidth
        {
            ulong result = (a + b) & TWidth.Mask;
            flags = AddFlags<TWidth>(a, b, result);
            return result;
        }
    }

    private struct Sub : IAlu
    {
        public static bool WriteBack => true;

        public static bool UsesCarry => false;

        public static ulong Compute<TWidth>(ulong a, ulong b, ulong carry, out ulong flags)
            where TWidth : struct, IWidth
        {
            ulong result = (a - b) & TWidth.Mask;
            flags = SubFlags<TWidth>(a, b, result);
            return result;
        }
    }

    private struct Cmp : IAlu
    {
        public static bool WriteBack => false;

        public static bool UsesCarry => false;

        public static ulong Compute<TWidth>(ulong a, ulong b, ulong carry, out ulong flags)
            where TWidth : struct, IWidth => Sub.Compute<TWidth>(a, b, 0, out flags);
    }

    private struct And : IAlu
    {
        public static bool WriteBack => true;

        public static bool UsesCarry => false;

        public static ulong Compute<TWidth>(ulong a, ulong b, ulong carry, out ulong flags)
            where TWidth : struct, IWidth
        {
            ulong result = a & b;
            flags = ResultFlags<TWidth>(result);
            return result;
        }
    }

    private struct Or : IAlu
    {
        public static bool WriteBack => true;

        public static bool UsesCarry => false;

        public static ulong Compute<TWidth>(ulong a, ulong b, ulong carry, out ulong flags)
            where TWidth : struct, IWidth
        {
            ulong result = a | b;
            flags = ResultFlags<TWidth>(result);
            return result;
        }
    }

    private struct Xor : IAlu
    {
        public static bool WriteBack => true;

        public static bool UsesCarry => false;

        public static ulong Compute<TWidth>(ulong a, ulong b, ulong carry, out ulong flags)
            where TWidth : struct, IWidth
        {
            ulong result = a ^ b;
            flags = ResultFlags<TWidth>(result);
            return result;
        }
    }

    private struct Test : IAlu
    {
        public static bool WriteBack => false;

        public static bool UsesCarry => false;

        public static ulong Compute<TWidth>(ulong a, ulong b, ulong carry, out ulong flags)
            where TWidth : struct, IWidth => And.Compute<TWidth>(a, b, 0, out flags);
    }

    // Conditions in pairs (SDM vol. 1, B.1): Jcc<TCondition, TNegate>.
    private struct Overflow : ICondition
    {
        public static bool Holds(ulong f) => (f & RflagsBits.OF) != 0;
    }

    private struct Below : ICondition
    {
        public static bool Holds(ulong f) => (f & RflagsBits.CF) != 0;
    }

    private struct Equal : ICondition
    {
        public static bool Holds(ulong f) => (f & RflagsBits.ZF) != 0;
    }

    private struct BelowOrEqual : ICondition
    {
        public static bool Holds(ulong f) => (f & (RflagsBits.CF | RflagsBits.ZF)) != 0;
    }

    private struct Sign : ICondition
    {
        public static bool Holds(ulong f) => (f & RflagsBits.SF) != 0;
    }

    private struct Parity : ICondition
    {
        public static bool Holds(ulong f) => (f & RflagsBits.PF) != 0;
    }

    private struct Less : ICondition
    {
        public static bool Holds(ulong f) => ((f & RflagsBits.SF) != 0) != ((f & RflagsBits.OF) != 0);
    }

    private struct LessOrEqual : ICondition
    {
        public static bool Holds(ulong f) => (f & RflagsBits.ZF) != 0 || Less.Holds(f);
    }

    private struct Is : ICondition
    {
        public static bool Holds(ulong f) => true;
    }

    private struct IsNot : ICondition
    {
        public static bool Holds(ulong f) => false;
    }
}
