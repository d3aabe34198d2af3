using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// Segment translation of data accesses (Intel SDM vol. 3, 5.3 "Limit Checking", 5.4 "Type
/// Checking", 3.3.7.1 "Canonical Addressing"). <see cref="TryApplySegment"/> is the one translation
/// every operand, stack, string and vector access takes; the unchecked <see cref="LinearAddress"/>
/// remains for INVLPG (which the SDM does not check) and callers outside this folder's ownership.
/// </summary>
public sealed partial class ExecutionContext
{
    /// <summary>Offset plus segment base, unchecked: in 64-bit mode only FS and GS have one (SDM vol. 3, 3.2.4).</summary>
    private ulong SegmentBaseApplied(Register segment, ulong offset)
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
        ulong span = (ulong)Math.Max(size, 1) - 1;
        if (s.In64BitMode)
        {
            linear = segment switch
            {
                Register.FS => offset + s.Segments[(int)SegmentRegister.Fs].Base,
                Register.GS => offset + s.Segments[(int)SegmentRegister.Gs].Base,
                _ => offset,
            };
            if (SystemAccess.IsCanonical(linear) && SystemAccess.IsCanonical(linear + span))
            {
                return true;
            }

            return Violation(segment);
        }

        ref SegmentCache cache = ref s.Segment(SegmentOf(segment));
        linear = (cache.Base + offset) & 0xFFFF_FFFF;
        uint flags = cache.Flags;

        // The commonest case by far: a flat 4 GiB expand-up segment whose type allows the access.
        const uint kindMask = SegmentFlags.CodeOrData | SegmentFlags.Code | SegmentFlags.ConformingOrExpandDown;
        if (cache.Limit == 0xFFFF_FFFF && (flags & kindMask) == SegmentFlags.CodeOrData
            && (access == MemoryAccess.Read || (access == MemoryAccess.Write && (flags & SegmentFlags.ReadableOrWritable) != 0))
            && (flags & SegmentFlags.Present) != 0)
        {
            return true;
        }

        if (s.ProtectedMode && (s.Rflags & RflagsBits.VM) == 0)
        {
            if ((flags & SegmentFlags.Present) == 0 || !TypeAllows(flags, access))
            {
                return Violation(segment);
            }
        }

        return WithinLimit(cache, offset, size) || Violation(segment);
    }

    /// <summary>
    /// Whether bytes [<paramref name="offset"/>, <paramref name="offset"/> + <paramref name="size"/>) lie within the
    /// segment's limit: at most the limit when expand-up, above it and below 64 KiB or 4 GiB (B bit) when expand-down.
    /// </summary>
    public static bool WithinLimit(in SegmentCache cache, ulong offset, int size)
    {
        ulong last = offset + (ulong)Math.Max(size, 1) - 1;
        const uint kindMask = SegmentFlags.CodeOrData | SegmentFlags.Code | SegmentFlags.ConformingOrExpandDown;
        if ((cache.Flags & kindMask) == (SegmentFlags.CodeOrData | SegmentFlags.ConformingOrExpandDown))
        {
            ulong upper = (cache.Flags & SegmentFlags.Big) != 0 ? 0xFFFF_FFFFUL : 0xFFFFUL;
            return offset > cache.Limit && last <= upper;
        }

        return last <= cache.Limit;
    }

    /// <summary>#SS(0) for a stack-segment access, else #GP(0) (SDM vol. 3, 6.15 interrupts 12 and 13).</summary>
    private bool Violation(Register segment)
    {
        Fault = segment == Register.SS ? SystemAccess.WithCode(ExceptionVector.StackFault, 0) : CpuFault.GeneralProtection();
        return false;
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
