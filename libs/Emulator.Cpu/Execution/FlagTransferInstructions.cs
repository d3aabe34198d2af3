using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// Intel SDM vol. 2, LAHF and SAHF: AH is SF:ZF:0:AF:0:PF:1:CF. Valid in 64-bit mode because the
/// CPUID model advertises LAHF-LM (CPUID.80000001H:ECX.LAHF-SAHF[bit 0]).
/// </summary>
public static class FlagTransferInstructions
{
    private const ulong Transferred = RflagsBits.SF | RflagsBits.ZF | RflagsBits.AF | RflagsBits.PF | RflagsBits.CF;

    public static void AddTo(DispatchTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        table.Add(Mnemonic.Lahf, Lahf);
        table.Add(Mnemonic.Sahf, Sahf);
    }

    private static ExitReason Lahf(ExecutionContext cpu, in Instruction instruction)
    {
        cpu.WriteRegister(Register.AH, (cpu.Rflags & Transferred) | RflagsBits.Fixed1);
        return ExitReason.Continue;
    }

    private static ExitReason Sahf(ExecutionContext cpu, in Instruction instruction)
    {
        cpu.SetFlags(Transferred, cpu.ReadRegister(Register.AH));
        return ExitReason.Continue;
    }
}
