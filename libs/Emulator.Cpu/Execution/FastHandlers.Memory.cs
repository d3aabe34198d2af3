using System.Runtime.CompilerServices;
using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// Fast handlers with a memory operand: ALU forms reading or read-modify-writing 32/64-bit memory
/// (and byte memory with an immediate),
/// MOVZX/MOVSX/MOVSXD, LEA, and PUSH/POP of a 64-bit register. Each makes the same accesses in the
/// same order, with the same access kind, as the family handler it stands in for, so faults match.
/// </summary>
internal static partial class FastHandlers
{
    private static InstructionHandler? AluToMemory<TOp>(in Instruction i)
        where TOp : struct, IAlu
    {
        return (i.MemorySize.GetSize(), i.Op1Kind) switch
        {
            (4, OpKind.Register) when i.Op1Register.GetSize() == 4 => static (ExecutionContext c, in Instruction i) => BinaryToMemory<TOp, W32, Reg32>(c, i),
            (4, OpKind.Immediate32) => static (ExecutionContext c, in Instruction i) => BinaryToMemory<TOp, W32, Imm32>(c, i),
            (4, OpKind.Immediate8to32) => static (ExecutionContext c, in Instruction i) => BinaryToMemory<TOp, W32, Imm8To32>(c, i),
            (8, OpKind.Register) when i.Op1Register.GetSize() == 8 => static (ExecutionContext c, in Instruction i) => BinaryToMemory<TOp, W64, Reg64>(c, i),
            (8, OpKind.Immediate32to64) => static (ExecutionContext c, in Instruction i) => BinaryToMemory<TOp, W64, Imm32To64>(c, i),
            (8, OpKind.Immediate8to64) => static (ExecutionContext c, in Instruction i) => BinaryToMemory<TOp, W64, Imm8To64>(c, i),
            (1, OpKind.Immediate8) => static (ExecutionContext c, in Instruction i) => BinaryToMemory<TOp, W8, Imm8>(c, i),
            _ => null,
        };
    }

    /// <summary>
    /// The memory operand's effective address without the general register decoding: 64-bit base and
    /// index (the usual long-mode forms) are read straight from the register file; anything else
    /// (RIP-relative, 32/16-bit addressing, displacement only) takes <see cref="ExecutionContext.EffectiveAddress(in Instruction)"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Address(ExecutionContext c, in Instruction i)
    {
        Register baseRegister = i.MemoryBase;
        Register index = i.MemoryIndex;
        uint baseNumber = (uint)(baseRegister - Register.RAX);
        uint indexNumber = (uint)(index - Register.RAX);
        ref CpuState s = ref c.State;
        if (baseNumber < 16)
        {
            ulong address = i.MemoryDisplacement64 + s.Gpr[(int)baseNumber];
            if (index == Register.None)
            {
                return address;
            }

            if (indexNumber < 16)
            {
                return address + (s.Gpr[(int)indexNumber] * (ulong)i.MemoryIndexScale);
            }
        }
        else if (baseRegister == Register.None && indexNumber < 16)
        {
            return i.MemoryDisplacement64 + (s.Gpr[(int)indexNumber] * (ulong)i.MemoryIndexScale);
        }

        return c.EffectiveAddress(i);
    }

    /// <summary>
    /// <see cref="ExecutionContext.TryLinearAddress"/> with <see cref="Address"/>: in 64-bit mode without an FS/GS
    /// override the only check is the canonical one; everything else takes the full segment checks.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryLinear(ExecutionContext c, in Instruction i, int size, MemoryAccess access, out ulong linear)
    {
        Register segment = i.MemorySegment;
        if (segment != Register.FS && segment != Register.GS && c.State.In64BitMode)
        {
            linear = Address(c, i);
            if (SystemAccess.IsCanonical(linear) && SystemAccess.IsCanonical(linear + (ulong)size - 1))
            {
                return true;
            }
        }

        return c.TryLinearAddress(i, size, access, out linear);
    }

    /// <summary>OP reg, [mem]: the family handler reads the memory source with a read access.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ExitReason BinaryFromMemory<TOp, TWidth>(ExecutionContext c, in Instruction i)
        where TOp : struct, IAlu
        where TWidth : struct, IWidth
    {
        if (!TryLinear(c, i, TWidth.Size, MemoryAccess.Read, out ulong linear) || !c.TryReadMemory(linear, TWidth.Size, out ulong b))
        {
            return ExitReason.Exception;
        }

        ref CpuState s = ref c.State;
        ref ulong destination = ref Destination<TWidth>(ref s, i);
        ulong a = destination & TWidth.Mask;
        ulong result = TOp.Compute<TWidth>(a, b & TWidth.Mask, TOp.UsesCarry ? s.Rflags & RflagsBits.CF : 0, out ulong flags);
        if (TOp.WriteBack)
        {
            destination = result;
        }

        s.Rflags = (s.Rflags & ~FlagMath.Status) | flags | RflagsBits.Fixed1;
        return ExitReason.Continue;
    }

    /// <summary>OP [mem], reg/imm: read as a write access (CMP and TEST: a read), then the write; flags only once both succeed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ExitReason BinaryToMemory<TOp, TWidth, TSource>(ExecutionContext c, in Instruction i)
        where TOp : struct, IAlu
        where TWidth : struct, IWidth
        where TSource : struct, ISource
    {
        MemoryAccess access = TOp.WriteBack ? MemoryAccess.Write : MemoryAccess.Read;
        if (!TryLinear(c, i, TWidth.Size, access, out ulong linear) || !c.TryReadMemory(linear, TWidth.Size, out ulong a, access))
        {
            return ExitReason.Exception;
        }

        ref CpuState s = ref c.State;
        ulong b = TSource.Read(ref s, i) & TWidth.Mask;
        ulong result = TOp.Compute<TWidth>(a & TWidth.Mask, b, TOp.UsesCarry ? s.Rflags & RflagsBits.CF : 0, out ulong flags);
        if (TOp.WriteBack && !c.TryWriteMemory(linear, TWidth.Size, result))
        {
            return ExitReason.Exception;
        }

        s.Rflags = (s.Rflags & ~FlagMath.Status) | flags | RflagsBits.Fixed1;
        return ExitReason.Continue;
    }

    private static InstructionHandler? LoadEffectiveAddress(in Instruction i)
    {
        if (i.OpCount != 2 || i.Op0Kind != OpKind.Register || i.Op1Kind != OpKind.Memory)
        {
            return null;
        }

        return i.Op0Register.GetSize() switch
        {
            4 => static (ExecutionContext c, in Instruction i) => Lea<W32>(c, i),
            8 => static (ExecutionContext c, in Instruction i) => Lea<W64>(c, i),
            _ => null,
        };
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ExitReason Lea<TWidth>(ExecutionContext c, in Instruction i)
        where TWidth : struct, IWidth
    {
        ulong address = Address(c, i);
        Destination<TWidth>(ref c.State, i) = address & TWidth.Mask;
        return ExitReason.Continue;
    }

    /// <summary>MOVZX/MOVSX/MOVSXD into a 32/64-bit register; the source's size is the memory operand's or the register's.</summary>
    private static InstructionHandler? Extend(in Instruction i)
    {
        if (i.OpCount != 2 || i.Op0Kind != OpKind.Register)
        {
            return null;
        }

        bool signed = i.Mnemonic != Mnemonic.Movzx;
        return (i.Op0Register.GetSize(), signed, i.Op1Kind) switch
        {
            (4, false, OpKind.Memory) => static (ExecutionContext c, in Instruction i) => ExtendFromMemory<W32>(c, i, signed: false),
            (4, true, OpKind.Memory) => static (ExecutionContext c, in Instruction i) => ExtendFromMemory<W32>(c, i, signed: true),
            (8, false, OpKind.Memory) => static (ExecutionContext c, in Instruction i) => ExtendFromMemory<W64>(c, i, signed: false),
            (8, true, OpKind.Memory) => static (ExecutionContext c, in Instruction i) => ExtendFromMemory<W64>(c, i, signed: true),
            (4, false, OpKind.Register) => static (ExecutionContext c, in Instruction i) => ExtendFromRegister<W32>(c, i, signed: false),
            (4, true, OpKind.Register) => static (ExecutionContext c, in Instruction i) => ExtendFromRegister<W32>(c, i, signed: true),
            (8, false, OpKind.Register) => static (ExecutionContext c, in Instruction i) => ExtendFromRegister<W64>(c, i, signed: false),
            (8, true, OpKind.Register) => static (ExecutionContext c, in Instruction i) => ExtendFromRegister<W64>(c, i, signed: true),
            _ => null,
        };
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ExitReason ExtendFromMemory<TWidth>(ExecutionContext c, in Instruction i, bool signed)
        where TWidth : struct, IWidth
    {
        int size = i.MemorySize.GetSize();
        if (!TryLinear(c, i, size, MemoryAccess.Read, out ulong linear) || !c.TryReadMemory(linear, size, out ulong value))
        {
            return ExitReason.Exception;
        }

        Destination<TWidth>(ref c.State, i) = (signed ? (ulong)FlagMath.SignExtend(value, size) : value) & TWidth.Mask;
        return ExitReason.Continue;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ExitReason ExtendFromRegister<TWidth>(ExecutionContext c, in Instruction i, bool signed)
        where TWidth : struct, IWidth
    {
        Register source = i.Op1Register;
        int size = source.GetSize();
        ulong value = c.ReadRegister(source);
        Destination<TWidth>(ref c.State, i) = (signed ? (ulong)FlagMath.SignExtend(value, size) : value) & TWidth.Mask;
        return ExitReason.Continue;
    }

    /// <summary>PUSH r64 (64-bit mode): StackInstructions.Push without the operand dispatch.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ExitReason Push64(ExecutionContext c, in Instruction i) =>
        TryPush64(c, c.State.Gpr[i.Op0Register - Register.RAX]) ? ExitReason.Continue : ExitReason.Exception;

    /// <summary>
    /// ExecutionContext.TryPush of 8 bytes: in 64-bit mode SS has no base or limit, so the only check
    /// is the canonical one (a failure takes the general path, which raises its #SS(0)).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryPush64(ExecutionContext c, ulong value)
    {
        ref CpuState s = ref c.State;
        ulong sp = s.Gpr[(int)GeneralRegister.Rsp] - 8;
        if (s.In64BitMode && SystemAccess.IsCanonical(sp) && SystemAccess.IsCanonical(sp + 7))
        {
            if (!c.TryWriteMemory(sp, 8, value))
            {
                return false;
            }

            s.Gpr[(int)GeneralRegister.Rsp] = sp;
            return true;
        }

        return c.TryPush(value, 8);
    }

    /// <summary>ExecutionContext.TryPeek of 8 bytes at the stack pointer, with <see cref="TryPush64"/>'s shortcut.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryPeek64(ExecutionContext c, out ulong value)
    {
        ref CpuState s = ref c.State;
        ulong sp = s.Gpr[(int)GeneralRegister.Rsp];
        if (s.In64BitMode && SystemAccess.IsCanonical(sp) && SystemAccess.IsCanonical(sp + 7))
        {
            return c.TryReadMemory(sp, 8, out value);
        }

        return c.TryPeek(8, out value);
    }

    /// <summary>POP r64: the stack pointer moves before the register is written, so POP RSP loads the popped value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ExitReason Pop64(ExecutionContext c, in Instruction i)
    {
        if (!TryPeek64(c, out ulong value))
        {
            return ExitReason.Exception;
        }

        c.SetStackPointer(c.StackPointer + 8);
        c.State.Gpr[i.Op0Register - Register.RAX] = value;
        return ExitReason.Continue;
    }

    /// <summary>Byte operands, for memory forms only: there is no byte register destination here (AH..BH do not index like the rest).</summary>
    private struct W8 : IWidth
    {
        public static int Size => 1;

        public static int Bits => 8;

        public static Register First => Register.AL;

        public static ulong Mask => 0xFF;
    }

    private struct Imm8 : ISource
    {
        public static ulong Read(ref CpuState s, in Instruction i) => i.Immediate8;
    }
}
