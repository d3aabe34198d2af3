using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// Intel SDM vol. 2 XLAT/XLATB: AL = [seg:rBX + zero-extended AL]. Iced gives the operand as base rBX (EBX with 67h)
/// and index AL, so the common effective-address path (with its segment override, limit and canonical checks) applies.
/// </summary>
public static class TableLookupInstructions
{
    public static void AddTo(DispatchTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        table.Add(Code.Xlat_m8, Xlat);
    }

    private static ExitReason Xlat(ExecutionContext cpu, in Instruction instruction)
    {
        if (!cpu.TryReadOperand(instruction, 0, 1, out ulong value))
        {
            return ExitReason.Exception;
        }

        cpu.WriteRegister(Register.AL, value);
        return ExitReason.Continue;
    }
}
