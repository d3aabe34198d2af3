using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// Segment translation of data accesses (Intel SDM vol. 3, 5.3 "Limit Checking", 5.4 "Type
/// Checking", 3.3.7.1 "Canonical Addressing"). <see cref="TryApplySegment"/> is the checked form
/// every access should take; <see cref="ApplySegment"/> only adds the base (for callers that have
/// not been moved to the checked form yet).
/// </summary>
public sealed partial class ExecutionContext
{
    /// <summary>Offset plus segment base, unchecked: in 64-bit mode only FS and GS have one (SDM vol. 3, 3.2.4).</summary>
    public ulong ApplySegment(Register segment, ulong offset)
    {
        ref CpuState s = ref State;
        if (s.In64BitMode)
        {
            return segment switch
            {
                Register.FS => offset + s.Segments[(int)SegmentRegister.Fs].Base,
                Register.GS => offset + s.Segments[(int)SegmentRegister.Gs].Base,
                _ => offset,
            };
        }

        return (s.Segments[(int)SegmentOf(segment)].Base + offset) & 0xFFFF_FFFF;
    }

    /// <summary>
    /// The linear address of a <paramref name="size"/>-byte <paramref name="access"/> at
    /// <paramref name="offset"/> in <paramref name="segment"/>, or false with <see cref="Fault"/> set:
    /// #GP(0), or #SS(0) when <paramref name="segment"/> is SS, for a non-canonical address (64-bit
    /// mode), an offset outside the limit (expand-up or expand-down, 16- or 32-bit upper bound), a
    /// null segment, a write to code or read-only data, or a read of execute-only code (protected mode).
    /// <see cref="MemoryAccess.Execute"/> means an instruction fetch through CS.
    /// </summary>
    public bool TryApplySegment(Register segment, ulong offset, int size, MemoryAccess access, out ulong linear)
    {
        ref CpuState s = ref State;
        CpuFault violation = segment == Register.SS ? SystemAccess.WithCode(ExceptionVector.StackFault, 0) : CpuFault.GeneralProtection();
        ulong last = offset + (ulong)Math.Max(size, 1) - 1;
        if (s.In64BitMode)
        {
            ulong @base = segment switch
            {
                Register.FS => s.Segments[(int)SegmentRegister.Fs].Base,
                Register.GS => s.Segments[(int)SegmentRegister.Gs].Base,
                _ => 0,
            };
            linear = offset + @base;
            if (!SystemAccess.IsCanonical(linear) || !SystemAccess.IsCanonical(linear + (ulong)Math.Max(size, 1) - 1))
            {
                Fault = violation;
                return false;
            }

            return true;
        }

        ref SegmentCache cache = ref s.Segment(SegmentOf(segment));
        linear = (cache.Base + offset) & 0xFFFF_FFFF;
        uint flags = cache.Flags;
        if (s.ProtectedMode && (s.Rflags & RflagsBits.VM) == 0)
        {
            if ((flags & SegmentFlags.Present) == 0 || !TypeAllows(flags, access))
            {
                Fault = violation;
                return false;
            }
        }

        if ((flags & (SegmentFlags.CodeOrData | SegmentFlags.Code | SegmentFlags.ConformingOrExpandDown)) == (SegmentFlags.CodeOrData | SegmentFlags.ConformingOrExpandDown))
        {
            ulong upper = (flags & SegmentFlags.Big) != 0 ? 0xFFFF_FFFFUL : 0xFFFFUL;
            if (offset <= cache.Limit || last > upper)
            {
                Fault = violation;
                return false;
            }
        }
        else if (cache.Limit != 0xFFFF_FFFF && last > cache.Limit)
        {
            Fault = violation;
            return false;
        }

        return true;
    }

    /// <summary>The memory operand's checked linear address (<see cref="TryApplySegment"/>) for a <paramref name="size"/>-byte access.</summary>
    public bool TryLinearAddress(in Instruction instruction, int size, MemoryAccess access, out ulong linear) =>
        TryApplySegment(instruction.MemorySegment, EffectiveAddress(instruction), size, access, out linear);

    /// <summary>Reads through a segment with every check.</summary>
    public bool TryReadSegmented(Register segment, ulong offset, int size, out ulong value, MemoryAccess access = MemoryAccess.Read)
    {
        value = 0;
        return TryApplySegment(segment, offset, size, access == MemoryAccess.Execute ? MemoryAccess.Read : access, out ulong linear)
            && TryReadMemory(linear, size, out value, access);
    }

    /// <summary>Writes through a segment with every check.</summary>
    public bool TryWriteSegmented(Register segment, ulong offset, int size, ulong value) =>
        TryApplySegment(segment, offset, size, MemoryAccess.Write, out ulong linear) && TryWriteMemory(linear, size, value);

    /// <summary><see cref="TryReadOperand"/> with the segment checks of <see cref="TryApplySegment"/>.</summary>
    public bool TryReadOperandSegmented(in Instruction instruction, int op, int size, out ulong value, MemoryAccess access = MemoryAccess.Read)
    {
        if (instruction.GetOpKind(op) != OpKind.Memory)
        {
            return TryReadOperand(instruction, op, size, out value, access);
        }

        value = 0;
        return TryLinearAddress(instruction, size, access, out ulong linear) && TryReadMemory(linear, size, out value, access);
    }

    /// <summary><see cref="TryWriteOperand"/> with the segment checks of <see cref="TryApplySegment"/>.</summary>
    public bool TryWriteOperandSegmented(in Instruction instruction, int op, int size, ulong value)
    {
        if (instruction.GetOpKind(op) != OpKind.Memory)
        {
            return TryWriteOperand(instruction, op, size, value);
        }

        return TryLinearAddress(instruction, size, MemoryAccess.Write, out ulong linear) && TryWriteMemory(linear, size, value);
    }

    /// <summary>Pushes through SS with its limit checks (#SS(0)); nothing changes on a fault.</summary>
    public bool TryPushSegmented(ulong value, int size)
    {
        ulong sp = (StackPointer - (ulong)size) & FlagMath.Mask(StackAddressSize);
        if (!TryWriteSegmented(Register.SS, sp, size, value))
        {
            return false;
        }

        SetStackPointer(sp);
        return true;
    }

    /// <summary>Reads the stack at SP + <paramref name="offset"/> through SS with its limit checks; the caller moves SP.</summary>
    public bool TryPeekSegmented(int size, out ulong value, ulong offset = 0) =>
        TryReadSegmented(Register.SS, (StackPointer + offset) & FlagMath.Mask(StackAddressSize), size, out value);

    /// <summary>The <see cref="SegmentRegister"/> an Iced segment register names (DS for anything else).</summary>
    public static SegmentRegister SegmentOf(Register segment) => segment switch
    {
        Register.ES => SegmentRegister.Es,
        Register.CS => SegmentRegister.Cs,
        Register.SS => SegmentRegister.Ss,
        Register.FS => SegmentRegister.Fs,
        Register.GS => SegmentRegister.Gs,
        _ => SegmentRegister.Ds,
    };

    /// <summary>Code: no writes, reads only when readable. Data: writes only when writable.</summary>
    private static bool TypeAllows(uint flags, MemoryAccess access)
    {
        if ((flags & SegmentFlags.CodeOrData) == 0)
        {
            return false;
        }

        bool code = (flags & SegmentFlags.Code) != 0;
        bool rw = (flags & SegmentFlags.ReadableOrWritable) != 0;
        return access switch
        {
            MemoryAccess.Write => !code && rw,
            MemoryAccess.Read => !code || rw,
            _ => code,
        };
    }
}
