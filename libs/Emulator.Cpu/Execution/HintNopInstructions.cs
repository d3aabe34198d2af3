using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// The reserved-NOP hint space Iced decodes as RESERVEDNOP (Intel SDM vol. 2 appendix A, "NOP"; AMD APM vol. 3,
/// "NOP"): 0F 19 and 0F 1C-1F are NOPs on every processor; 0F 1A/1B are MPX only where CPUID says so (ours does not),
/// NOPs otherwise. 0F 0D and 0F 18 follow QEMU, whose model we claim: any memory form is a NOP (a prefetch hint),
/// a register form of 0F 0D or of 0F 18 /0-/3 (the PREFETCHh slots) is #UD, 0F 18 /4-/7 is a NOP. The memory forms
/// Iced names after extensions CPUID does not advertise (PREFETCH and PREFETCHWT1 in 0F 0D, CLDEMOTE in 0F 1C) are
/// hints without architectural effect, NOPs as on processors without them.
/// </summary>
public static class HintNopInstructions
{
    public static void AddTo(DispatchTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        table.Add(Mnemonic.Prefetch, Nop);
        table.Add(Mnemonic.Prefetchwt1, Nop);
        table.Add(Mnemonic.Cldemote, Nop);
        foreach (Code code in Enum.GetValues<Code>())
        {
            if (code.Mnemonic() != Mnemonic.Reservednop)
            {
                continue;
            }

            string name = code.ToString();
            if (name.EndsWith("_0F0D", StringComparison.Ordinal))
            {
                table.Add(code, MemoryFormOnly);
            }
            else if (name.EndsWith("_0F18", StringComparison.Ordinal))
            {
                table.Add(code, PrefetchSlotsNeedMemory);
            }
            else
            {
                table.Add(code, Nop);
            }
        }
    }

    private static ExitReason Nop(ExecutionContext cpu, in Instruction instruction) => ExitReason.Continue;

    private static ExitReason MemoryFormOnly(ExecutionContext cpu, in Instruction instruction) =>
        instruction.Op0Kind == OpKind.Memory ? ExitReason.Continue : cpu.Raise(CpuFault.Simple(ExceptionVector.InvalidOpcode));

    private static ExitReason PrefetchSlotsNeedMemory(ExecutionContext cpu, in Instruction instruction)
    {
        int slot = instruction.Op1Register.GetNumber() & 7;
        return instruction.Op0Kind == OpKind.Memory || slot >= 4 ? ExitReason.Continue : cpu.Raise(CpuFault.Simple(ExceptionVector.InvalidOpcode));
    }
}
