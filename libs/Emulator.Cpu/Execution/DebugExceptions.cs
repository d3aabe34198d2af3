using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// The DR6/DR7 layout and breakpoint matching of SDM vol. 3, 18.2 "Debug Registers": DR7 bits
/// 2n/2n+1 enable breakpoint n (local/global, treated alike), R/Wn (bits 16+4n) is 00 execute,
/// 01 write, 10 I/O (needs CR4.DE, which this CPU reserves: never matches) and 11 read/write;
/// LENn (bits 18+4n) is 1, 2, 8 or 4 bytes, the address aligned down to the length.
/// </summary>
public static class DebugExceptions
{
    /// <summary>DR6 bits that read as 1 (reserved).</summary>
    public const ulong Dr6Fixed1 = 0xFFFF_0FF0;

    /// <summary>DR6.B0-B3: breakpoint n matched.</summary>
    public const ulong Dr6Breakpoints = 0xF;

    /// <summary>DR6.BD: a MOV DR hit DR7.GD.</summary>
    public const ulong Dr6BD = 1UL << 13;

    /// <summary>DR6.BS: single-step trap.</summary>
    public const ulong Dr6BS = 1UL << 14;

    /// <summary>DR7.GD: general detect, MOV DR faults.</summary>
    public const ulong Dr7GD = 1UL << 13;

    /// <summary>DR7.L0-G3: a breakpoint may be enabled.</summary>
    public const ulong Dr7Enables = 0xFF;

    private const int Execute = 0;
    private const int Write = 1;
    private const int ReadWrite = 3;

    /// <summary>DR7 enables breakpoint <paramref name="n"/>.</summary>
    public static bool IsEnabled(ulong dr7, int n) => ((dr7 >> (2 * n)) & 3) != 0;

    /// <summary>The R/W field of breakpoint <paramref name="n"/>.</summary>
    public static int Kind(ulong dr7, int n) => (int)((dr7 >> (16 + (4 * n))) & 3);

    /// <summary>The length in bytes of breakpoint <paramref name="n"/> (LEN 00=1, 01=2, 10=8, 11=4).</summary>
    public static ulong Length(ulong dr7, int n) => ((dr7 >> (18 + (4 * n))) & 3) switch { 0 => 1, 1 => 2, 2 => 8, _ => 4 };

    /// <summary>Any enabled breakpoint watches data (R/W 01 or 11).</summary>
    public static bool HasDataBreakpoints(ulong dr7)
    {
        for (int n = 0; n < 4; n++)
        {
            if (IsEnabled(dr7, n) && Kind(dr7, n) is Write or ReadWrite)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>B0-B3 bits of the enabled execute breakpoints (LEN 00) at linear address <paramref name="linear"/>.</summary>
    public static ulong InstructionHits(in CpuState state, ulong linear)
    {
        ulong hits = 0;
        for (int n = 0; n < 4; n++)
        {
            if (IsEnabled(state.Dr7, n) && Kind(state.Dr7, n) == Execute && ((state.Dr7 >> (18 + (4 * n))) & 3) == 0
                && Address(state, n) == linear)
            {
                hits |= 1UL << n;
            }
        }

        return hits;
    }

    /// <summary>B0-B3 bits of the enabled data breakpoints that [linear, linear+size) overlaps.</summary>
    public static ulong DataHits(in CpuState state, ulong linear, ulong size, bool write)
    {
        ulong hits = 0;
        for (int n = 0; n < 4; n++)
        {
            int kind = Kind(state.Dr7, n);
            if (!IsEnabled(state.Dr7, n) || !(kind == ReadWrite || (kind == Write && write)))
            {
                continue;
            }

            ulong length = Length(state.Dr7, n);
            ulong start = Address(state, n) & ~(length - 1);
            if (linear - start < length || start - linear < size)
            {
                hits |= 1UL << n;
            }
        }

        return hits;
    }

    /// <summary>
    /// B0-B3 bits of the data breakpoints the memory operands of <paramref name="instruction"/> touch,
    /// with the registers as they are before it runs (one element of a string instruction).
    /// </summary>
    public static ulong AccessHits(in CpuState state, in Instruction instruction, InstructionInfoFactory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        CpuState copy = state;
        bool longMode = state.LongModeActive;
        ulong hits = 0;
        InstructionInfo info = factory.GetInfo(instruction);
        foreach (UsedMemory used in info.GetUsedMemory())
        {
            bool write = used.Access is OpAccess.Write or OpAccess.CondWrite or OpAccess.ReadWrite or OpAccess.ReadCondWrite;
            bool read = used.Access is OpAccess.Read or OpAccess.CondRead or OpAccess.ReadWrite or OpAccess.ReadCondWrite;
            if (!write && !read)
            {
                continue;
            }

            if (!used.TryGetVirtualAddress(0, out ulong linear, (Register register, int _, int _, out ulong value) => RegisterValue(copy, longMode, register, out value)))
            {
                continue;
            }

            ulong size = (ulong)Math.Max(1, used.MemorySize.GetSize());
            if (!longMode)
            {
                linear &= 0xFFFF_FFFF;
            }

            hits |= DataHits(copy, linear, size, write);
        }

        return hits;
    }

    private static bool RegisterValue(in CpuState state, bool longMode, Register register, out ulong value)
    {
        if (register.IsSegmentRegister())
        {
            bool based = !longMode || register is Register.FS or Register.GS;
            value = based ? state.Segments[register - Register.ES].Base : 0;
            return true;
        }

        if (register.IsGPR())
        {
            Register full = register.GetFullRegister();
            ulong raw = state.Gpr[full - Register.RAX];
            value = register.IsGPR8() && register >= Register.AH && register <= Register.BH
                ? (state.Gpr[register - Register.AH] >> 8) & 0xFF
                : raw & (register.GetSize() switch { 1 => 0xFFUL, 2 => 0xFFFFUL, 4 => 0xFFFF_FFFFUL, _ => ulong.MaxValue });
            return true;
        }

        if (register is Register.RIP or Register.EIP)
        {
            value = state.Rip;
            return true;
        }

        value = 0;
        return false;
    }

    private static ulong Address(in CpuState state, int n) => n switch
    {
        0 => state.Dr0,
        1 => state.Dr1,
        2 => state.Dr2,
        _ => state.Dr3,
    };
}
