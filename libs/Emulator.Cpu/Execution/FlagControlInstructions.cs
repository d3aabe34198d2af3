using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>Intel SDM vol. 1, 7.3.13.1 "Carry and Direction Flag Instructions": CLC, STC, CMC, CLD, STD.</summary>
public static class FlagControlInstructions
{
    public static void AddTo(DispatchTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        table.Add(Mnemonic.Clc, (ExecutionContext c, in Instruction i) => Set(c, RflagsBits.CF, 0));
        table.Add(Mnemonic.Stc, (ExecutionContext c, in Instruction i) => Set(c, RflagsBits.CF, RflagsBits.CF));
        table.Add(Mnemonic.Cmc, (ExecutionContext c, in Instruction i) => Set(c, RflagsBits.CF, c.Rflags ^ RflagsBits.CF));
        table.Add(Mnemonic.Cld, (ExecutionContext c, in Instruction i) => Set(c, RflagsBits.DF, 0));
        table.Add(Mnemonic.Std, (ExecutionContext c, in Instruction i) => Set(c, RflagsBits.DF, RflagsBits.DF));
    }

    private static ExitReason Set(ExecutionContext cpu, ulong flag, ulong value)
    {
        cpu.SetFlags(flag, value);
        return ExitReason.Continue;
    }
}
