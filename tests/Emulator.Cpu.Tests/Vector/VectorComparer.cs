namespace Emulator.Cpu.Tests.Vector;

/// <summary>Describes the first differences between a native and an interpreted run (null when they agree).</summary>
public static class VectorComparer
{
    /// <summary>CF PF AF ZF SF OF: compared only for forms that define them (COMISS...).</summary>
    public const ulong StatusFlags = 0x8D5;

    public static string? Compare(VectorResult expected, VectorResult actual, bool flags)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        if (actual.Failure is not null)
        {
            return actual.Failure;
        }

        var differences = new List<string>();
        VectorState e = expected.State;
        VectorState a = actual.State;
        for (int i = 0; i < XmmFile.Count; i++)
        {
            if (e.XmmLow(i) != a.XmmLow(i) || e.XmmHigh(i) != a.XmmHigh(i))
            {
                differences.Add($"xmm{i} host {e.XmmHigh(i):x16}_{e.XmmLow(i):x16} interp {a.XmmHigh(i):x16}_{a.XmmLow(i):x16}");
            }
        }

        for (int i = 0; i < 8; i++)
        {
            if (e.Mmx(i) != a.Mmx(i))
            {
                differences.Add($"mm{i} host {e.Mmx(i):x16} interp {a.Mmx(i):x16}");
            }
        }

        for (int i = 0; i < 16; i++)
        {
            if (e.Gpr(i) != a.Gpr(i))
            {
                differences.Add($"gpr{i} host {e.Gpr(i):x16} interp {a.Gpr(i):x16}");
            }
        }

        if (e.Mxcsr != a.Mxcsr)
        {
            differences.Add($"mxcsr host {e.Mxcsr:x} interp {a.Mxcsr:x}");
        }

        if (flags && (e.Rflags & StatusFlags) != (a.Rflags & StatusFlags))
        {
            differences.Add($"rflags host {e.Rflags & StatusFlags:x} interp {a.Rflags & StatusFlags:x}");
        }

        for (int i = 0; i < expected.Memory.Length; i++)
        {
            if (expected.Memory[i] != actual.Memory[i])
            {
                differences.Add($"memory[{i}] host {expected.Memory[i]:x2} interp {actual.Memory[i]:x2}");
                break;
            }
        }

        return differences.Count == 0 ? null : string.Join("; ", differences);
    }
}
