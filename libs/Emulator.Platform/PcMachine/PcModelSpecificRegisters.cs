using Emulator.Cpu;

namespace Emulator.Platform;

/// <summary>
/// The MSRs the <c>pc</c> board adds to the CPU's built-in set: the local APIC's (TSC deadline,
/// the APIC base mirror) and AMD K8's interrupt-pending-message register (C001_0055h). The CPU
/// model is AMD family 0Fh, so Linux marks it with erratum 400 and reads that register with a
/// plain RDMSR once ACPI is up (<c>arch_post_acpi_subsys_init</c>); a #GP there prints "unchecked
/// MSR access error" with a call trace. It reads 0: no C1E on halt, so Linux keeps its default idle.
/// Likewise SYSCFG (C001_0010h), which Linux's MTRR code reads on AMD family 0Fh and later to check
/// that firmware cleared MtrrFixDramModEn: it holds the MTRR-related bits written (reset 0).
/// </summary>
public sealed class PcModelSpecificRegisters : IModelSpecificRegisterExtension
{
    /// <summary>MSR_K8_INT_PENDING_MSG.</summary>
    public const uint K8InterruptPendingMessage = 0xC001_0055;

    /// <summary>MSR_AMD64_SYSCFG.</summary>
    public const uint SystemConfiguration = 0xC001_0010;

    /// <summary>SYSCFG bits 18-22: MtrrFixDramEn, MtrrFixDramModEn, MtrrVarDramEn, MtrrTom2En, Tom2ForceMemTypeWB.</summary>
    public const ulong SystemConfigurationWritable = 0x1FUL << 18;

    private readonly IModelSpecificRegisterExtension _localApic;
    private ulong _systemConfiguration;

    public PcModelSpecificRegisters(IModelSpecificRegisterExtension localApic)
    {
        ArgumentNullException.ThrowIfNull(localApic);
        _localApic = localApic;
    }

    public bool TryRead(SystemServices system, uint index, out ulong value)
    {
        switch (index)
        {
            case K8InterruptPendingMessage:
                value = 0;
                return true;
            case SystemConfiguration:
                value = _systemConfiguration;
                return true;
            default:
                return _localApic.TryRead(system, index, out value);
        }
    }

    public bool TryWrite(SystemServices system, uint index, ulong value)
    {
        switch (index)
        {
            // The C1E enable bits are accepted and dropped: the vCPU has no C1E state to enter.
            case K8InterruptPendingMessage:
                return true;
            case SystemConfiguration:
                if ((value & ~SystemConfigurationWritable) != 0)
                {
                    return false;
                }

                _systemConfiguration = value;
                return true;
            default:
                return _localApic.TryWrite(system, index, value);
        }
    }

    public void Written(uint index, ulong value) => _localApic.Written(index, value);
}
