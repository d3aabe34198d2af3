namespace Emulator.Cpu;

/// <summary>
/// MSRs that live in a platform device (the local APIC's IA32_TSC_DEADLINE), reached through
/// <see cref="SystemServices.MsrExtension"/>. Consulted for indexes the built-in set does not know,
/// and told after a built-in MSR the device mirrors (IA32_APIC_BASE) took a new value.
/// </summary>
public interface IModelSpecificRegisterExtension
{
    /// <summary>False: not an MSR of this extension (RDMSR raises #GP).</summary>
    bool TryRead(SystemServices system, uint index, out ulong value);

    /// <summary>False: unknown MSR or illegal value (WRMSR raises #GP).</summary>
    bool TryWrite(SystemServices system, uint index, ulong value);

    /// <summary>A built-in MSR (<see cref="MsrIndex.ApicBase"/>) now holds <paramref name="value"/>.</summary>
    void Written(uint index, ulong value);
}
