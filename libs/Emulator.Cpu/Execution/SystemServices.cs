namespace Emulator.Cpu;

/// <summary>
/// What system instructions need beyond <see cref="CpuState"/>: the CPUID model, the virtual clock
/// with this vCPU's TSC offset, and a notification when a control register that changes address
/// translation is written (the translator and paging layer hook it; <see cref="PagedMemory"/> is
/// also flushed directly by the handlers). One per vCPU.
/// </summary>
public sealed class SystemServices
{
    public SystemServices(CpuidModel cpuid, ITimeSource? time = null)
    {
        ArgumentNullException.ThrowIfNull(cpuid);
        Cpuid = cpuid;
        Time = time ?? new StopwatchTimeSource();
    }

    public CpuidModel Cpuid { get; }

    public ITimeSource Time { get; }

    /// <summary>Added to <see cref="ITimeSource.Now"/> to give the guest's TSC (wrapping).</summary>
    public ulong TscOffset { get; set; }

    /// <summary>The guest's time-stamp counter now.</summary>
    public ulong Tsc => unchecked(Time.Now + TscOffset);

    /// <summary>Called with the register number (0, 3, 4) after a MOV to CR0/CR3/CR4 or a write of EFER (number 0x80 stands for EFER).</summary>
    public Action<int>? ControlRegisterWritten { get; set; }

    /// <summary>The I/O port space IN/OUT reach; null means no devices (every port unassigned).</summary>
    public IIoPortBus? Ports { get; set; }

    /// <summary>This vCPU's machine-check banks (IA32_MCG_* and MCi_*); the platform resets them with the board.</summary>
    public MachineCheckBanks MachineCheck { get; init; } = new();

    /// <summary>MSRs of platform devices (the local APIC); null means only the built-in set.</summary>
    public IModelSpecificRegisterExtension? MsrExtension { get; set; }

    /// <summary>The local APIC's TPR behind CR8; null means CR8 is a plain register.</summary>
    public ITaskPriorityRegister? TaskPriority { get; set; }

    /// <summary>Sets the TSC so it reads <paramref name="value"/> now (WRMSR 10h).</summary>
    public void SetTsc(ulong value) => TscOffset = unchecked(value - Time.Now);
}
