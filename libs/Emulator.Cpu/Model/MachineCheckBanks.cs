namespace Emulator.Cpu;

/// <summary>
/// The machine-check architecture's MSRs (Intel SDM vol. 3, 16.3; AMD APM vol. 2, 9.3) as QEMU TCG
/// models them for a CPU with MCE and MCA: IA32_MCG_CAP with MCG_CTL_P, MCG_SER_P and 10 banks,
/// IA32_MCG_STATUS, IA32_MCG_CTL and each bank's MCi_CTL/STATUS/ADDR/MISC. No error is ever
/// logged: the banks hold what the guest writes. As in QEMU, MCG_CTL and MCi_CTL take only all
/// zeros or all ones (another value is ignored, not a #GP: Linux clears bit 10 of MC4_CTL on AMD
/// family 0Fh with a plain WRMSR), STATUS/ADDR/MISC take any value, and MCG_CAP is read-only.
/// A RESET clears MCG_STATUS only; the banks and MCG_CTL keep their contents (QEMU keeps them
/// outside its reset fields).
/// </summary>
public sealed class MachineCheckBanks
{
    public const int BankCount = 10;

    /// <summary>MCG_CTL register present.</summary>
    public const ulong McgCtlPresent = 1UL << 8;

    /// <summary>Software error recovery (MCA recovery status bits) present.</summary>
    public const ulong McgSerPresent = 1UL << 24;

    /// <summary>IA32_MCG_CAP: QEMU's MCE_CAP_DEF | MCE_BANKS_DEF.</summary>
    public const ulong Capabilities = McgCtlPresent | McgSerPresent | BankCount;

    private const int RegistersPerBank = 4;

    private readonly ulong[] _banks = new ulong[BankCount * RegistersPerBank];

    public MachineCheckBanks()
    {
        Control = ulong.MaxValue;
        for (int bank = 0; bank < BankCount; bank++)
        {
            _banks[bank * RegistersPerBank] = ulong.MaxValue;
        }
    }

    /// <summary>IA32_MCG_STATUS.</summary>
    public ulong Status { get; private set; }

    /// <summary>IA32_MCG_CTL: all ones (every bank's reporting enabled) from power-on.</summary>
    public ulong Control { get; private set; }

    /// <summary>True for IA32_MCG_CAP/STATUS/CTL and the banks' MSRs.</summary>
    public static bool Claims(uint index) =>
        index is MsrIndex.McgCap or MsrIndex.McgStatus or MsrIndex.McgCtl || IsBankRegister(index);

    /// <summary>False: not a machine-check MSR.</summary>
    public bool TryRead(uint index, out ulong value)
    {
        switch (index)
        {
            case MsrIndex.McgCap: value = Capabilities; return true;
            case MsrIndex.McgStatus: value = Status; return true;
            case MsrIndex.McgCtl: value = Control; return true;
        }

        if (IsBankRegister(index))
        {
            value = _banks[index - MsrIndex.Mc0Ctl];
            return true;
        }

        value = 0;
        return false;
    }

    /// <summary>False: not a machine-check MSR, or MCG_CAP (read-only): WRMSR raises #GP.</summary>
    public bool TryWrite(uint index, ulong value)
    {
        switch (index)
        {
            case MsrIndex.McgCap:
                return false;
            case MsrIndex.McgStatus:
                Status = value;
                return true;
            case MsrIndex.McgCtl:
                if (IsAllOrNothing(value))
                {
                    Control = value;
                }

                return true;
        }

        if (!IsBankRegister(index))
        {
            return false;
        }

        uint offset = index - MsrIndex.Mc0Ctl;
        if (offset % RegistersPerBank != 0 || IsAllOrNothing(value))
        {
            _banks[offset] = value;
        }

        return true;
    }

    /// <summary>RESET# (system_reset): MCG_STATUS clears; the banks keep what they hold.</summary>
    public void Reset() => Status = 0;

    private static bool IsBankRegister(uint index) =>
        index >= MsrIndex.Mc0Ctl && index < MsrIndex.Mc0Ctl + (BankCount * RegistersPerBank);

    private static bool IsAllOrNothing(ulong value) => value is 0 or ulong.MaxValue;
}
