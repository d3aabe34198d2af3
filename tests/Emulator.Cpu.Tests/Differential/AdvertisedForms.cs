using Iced.Intel;

namespace Emulator.Cpu.Tests.Differential;

/// <summary>
/// The instruction forms a user process can execute on the modelled CPU: every Iced <see cref="Code"/> that is a
/// legacy-encoded instruction, valid in 64-bit mode, allowed at CPL 3, and whose every CPUID feature (Iced's list)
/// our <see cref="CpuidModel"/> advertises.
/// </summary>
public static class AdvertisedForms
{
    public static IReadOnlyList<Code> All(CpuidModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return [.. Enum.GetValues<Code>().Where(code => IsUserForm(code) && code.CpuidFeatures().All(f => IsAdvertised(f, model)))];
    }

    public static bool IsUserForm(Code code)
    {
        OpCodeInfo info = code.ToOpCode();
        return info.IsInstruction && info.Encoding == EncodingKind.Legacy && info.Mode64 && info.Cpl3;
    }

    /// <summary>
    /// Whether <paramref name="model"/> advertises <paramref name="feature"/>: the architectural baseline of every
    /// x86-64 processor is implied (long mode is advertised), the rest is read from the model's CPUID leaves.
    /// Features without a CPUID bit in our model are not advertised: among them RDPMC (leaf 0Ah, which reads as zeros,
    /// reports no counters), PREFETCHW (3DNowPrefetch), MOVBE, LZCNT, the SSE4 family, XSAVE, MONITOR.
    /// </summary>
    public static bool IsAdvertised(CpuidFeature feature, CpuidModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        CpuidResult leaf1 = model.Query(1, 0);
        CpuidResult extended1 = model.Query(0x8000_0001, 0);
        return feature switch
        {
            CpuidFeature.INTEL8086 or CpuidFeature.INTEL186 or CpuidFeature.INTEL286 or CpuidFeature.INTEL386
                or CpuidFeature.INTEL486 or CpuidFeature.CPUID or CpuidFeature.MULTIBYTENOP
                => (extended1.Edx & CpuidFeatures.LongMode) != 0,
            CpuidFeature.X64 => (extended1.Edx & CpuidFeatures.LongMode) != 0,
            CpuidFeature.FPU or CpuidFeature.FPU287 or CpuidFeature.FPU387 => (leaf1.Edx & CpuidFeatures.Fpu) != 0,
            CpuidFeature.TSC => (leaf1.Edx & CpuidFeatures.Tsc) != 0,
            CpuidFeature.MSR => (leaf1.Edx & CpuidFeatures.Msr) != 0,
            CpuidFeature.CX8 => (leaf1.Edx & CpuidFeatures.Cx8) != 0,
            CpuidFeature.SEP => (leaf1.Edx & CpuidFeatures.Sep) != 0,
            CpuidFeature.CMOV => (leaf1.Edx & CpuidFeatures.Cmov) != 0,
            CpuidFeature.CLFSH => (leaf1.Edx & CpuidFeatures.Clflush) != 0,
            CpuidFeature.MMX => (leaf1.Edx & CpuidFeatures.Mmx) != 0,
            CpuidFeature.FXSR => (leaf1.Edx & CpuidFeatures.Fxsr) != 0,
            CpuidFeature.SSE => (leaf1.Edx & CpuidFeatures.Sse) != 0,
            CpuidFeature.SSE2 => (leaf1.Edx & CpuidFeatures.Sse2) != 0,
            CpuidFeature.PAUSE => (leaf1.Edx & CpuidFeatures.Sse2) != 0,
            CpuidFeature.SSE3 => (leaf1.Ecx & CpuidFeatures.Sse3) != 0,
            CpuidFeature.SSSE3 => (leaf1.Ecx & CpuidFeatures.Ssse3) != 0,
            CpuidFeature.CMPXCHG16B => (leaf1.Ecx & CpuidFeatures.Cx16) != 0,
            CpuidFeature.POPCNT => (leaf1.Ecx & CpuidFeatures.Popcnt) != 0,
            CpuidFeature.SYSCALL => (extended1.Edx & CpuidFeatures.Syscall) != 0,
            CpuidFeature.RDTSCP => (extended1.Edx & CpuidFeatures.Rdtscp) != 0,
            _ => false,
        };
    }
}
