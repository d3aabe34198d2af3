using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// Intel SDM vol. 2 NOP (one-byte and multi-byte 0F 1F), PAUSE (a NOP to an interpreter), the CET
/// hint NOPs (ENDBR32/64, RDSSP), HLT.
/// HLT is privileged: #GP(0) above CPL 0; otherwise RIP moves past it and the vCPU halts.
/// </summary>
public static class MiscellaneousInstructions
{
    public static void AddTo(DispatchTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        table.Add(Mnemonic.Nop, Nop);
        table.Add(Mnemonic.Pause, Nop);

        // CET's hint-space encodings (0F 1E) are NOPs on a processor without CET, as CPUID says ours is.
        table.Add(Mnemonic.Endbr32, Nop);
        table.Add(Mnemonic.Endbr64, Nop);
        table.Add(Mnemonic.Rdsspd, Nop);
        table.Add(Mnemonic.Rdsspq, Nop);
        table.Add(Mnemonic.Hlt, Hlt);
    }

    private static ExitReason Nop(ExecutionContext cpu, in Instruction instruction) => ExitReason.Continue;

    private static ExitReason Hlt(ExecutionContext cpu, in Instruction instruction)
    {
        if (cpu.State.Cpl != 0)
        {
            return cpu.Raise(CpuFault.GeneralProtection());
        }

        cpu.State.Halted = 1;
        return ExitReason.Halted;
    }
}
