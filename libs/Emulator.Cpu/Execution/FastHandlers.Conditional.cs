using System.Runtime.CompilerServices;
using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// Fast handlers for CMOVcc into a 32/64-bit register, SETcc of a low byte register, and NEG/NOT of
/// a 32/64-bit register, with DataTransferInstructions', LogicalInstructions' and
/// BinaryArithmeticInstructions' results: CMOVcc reads its source (a memory source can fault) and
/// writes the destination whatever the condition, so a 32-bit one is zero-extended.
/// </summary>
internal static partial class FastHandlers
{
    private static InstructionHandler? Conditional(in Instruction i)
    {
        if (i.Mnemonic is (Mnemonic.Cmovo or Mnemonic.Cmovno or Mnemonic.Cmovb or Mnemonic.Cmovae or Mnemonic.Cmove or Mnemonic.Cmovne or Mnemonic.Cmovbe or Mnemonic.Cmova
            or Mnemonic.Cmovs or Mnemonic.Cmovns or Mnemonic.Cmovp or Mnemonic.Cmovnp or Mnemonic.Cmovl or Mnemonic.Cmovge or Mnemonic.Cmovle or Mnemonic.Cmovg) && i.OpCount == 2 && i.Op0Kind == OpKind.Register)
        {
            return i.Op0Register.GetSize() switch
            {
                4 => static (ExecutionContext c, in Instruction i) => ConditionalMove<W32>(c, i),
                8 => static (ExecutionContext c, in Instruction i) => ConditionalMove<W64>(c, i),
                _ => null,
            };
        }

        // AH, CH, DH and BH (the high bytes) keep the table's handler.
        if (i.Mnemonic is (Mnemonic.Seto or Mnemonic.Setno or Mnemonic.Setb or Mnemonic.Setae or Mnemonic.Sete or Mnemonic.Setne or Mnemonic.Setbe or Mnemonic.Seta
            or Mnemonic.Sets or Mnemonic.Setns or Mnemonic.Setp or Mnemonic.Setnp or Mnemonic.Setl or Mnemonic.Setge or Mnemonic.Setle or Mnemonic.Setg) && i.OpCount == 1 && i.Op0Kind == OpKind.Register && i.Op0Register.IsGPR8()
            && i.Op0Register is not (Register.AH or Register.CH or Register.DH or Register.BH))
        {
            return static (ExecutionContext c, in Instruction i) => SetByte(c, i);
        }

        return null;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ExitReason ConditionalMove<TWidth>(ExecutionContext c, in Instruction i)
        where TWidth : struct, IWidth
    {
        if (!TryReadRm<TWidth>(c, i, 1, out ulong value))
        {
            return ExitReason.Exception;
        }

        ref ulong destination = ref Destination<TWidth>(ref c.State, i);
        destination = c.Condition(i.ConditionCode) ? value : destination & TWidth.Mask;
        return ExitReason.Continue;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ExitReason SetByte(ExecutionContext c, in Instruction i)
    {
        // AL..BL are GPRs 0-3; SPL..R15L (after the four high bytes) are 4-15.
        int number = i.Op0Register - Register.AL;
        ref ulong register = ref c.State.Gpr[number < 4 ? number : number - 4];
        register = (register & ~0xFFUL) | (c.Condition(i.ConditionCode) ? 1UL : 0);
        return ExitReason.Continue;
    }

    private static InstructionHandler? NegateOrComplement(in Instruction i, bool negate)
    {
        if (i.OpCount != 1 || i.Op0Kind != OpKind.Register)
        {
            return null;
        }

        return (i.Op0Register.GetSize(), negate) switch
        {
            (4, true) => static (ExecutionContext c, in Instruction i) => Negate<W32>(c, i),
            (8, true) => static (ExecutionContext c, in Instruction i) => Negate<W64>(c, i),
            (4, false) => static (ExecutionContext c, in Instruction i) => Complement<W32>(c, i),
            (8, false) => static (ExecutionContext c, in Instruction i) => Complement<W64>(c, i),
            _ => null,
        };
    }

    /// <summary>NEG: flags of 0 - a (CF = a != 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ExitReason Negate<TWidth>(ExecutionContext c, in Instruction i)
        where TWidth : struct, IWidth
    {
        ref CpuState s = ref c.State;
        ref ulong destination = ref Destination<TWidth>(ref s, i);
        ulong a = destination & TWidth.Mask;
        ulong result = (0 - a) & TWidth.Mask;
        destination = result;
        s.Rflags = (s.Rflags & ~FlagMath.Status) | SubFlags<TWidth>(0, a, result) | RflagsBits.Fixed1;
        return ExitReason.Continue;
    }

    /// <summary>NOT: no flag changes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ExitReason Complement<TWidth>(ExecutionContext c, in Instruction i)
        where TWidth : struct, IWidth
    {
        ref ulong destination = ref Destination<TWidth>(ref c.State, i);
        destination = ~destination & TWidth.Mask;
        return ExitReason.Continue;
    }
}
