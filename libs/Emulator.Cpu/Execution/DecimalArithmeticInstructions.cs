using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// Intel SDM vol. 1, 7.3.3 "Decimal Arithmetic Instructions"; vol. 2 DAA, DAS, AAA, AAS, AAM, AAD,
/// following each Operation section. They do not exist in 64-bit mode: Iced decodes them as invalid
/// there, which is #UD. Undefined flags: DAA/DAS clear OF; AAA/AAS leave OF SF ZF PF unchanged;
/// AAM/AAD clear OF AF CF (all as QEMU does).
/// </summary>
public static class DecimalArithmeticInstructions
{
    public static void AddTo(DispatchTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        table.Add(Mnemonic.Daa, (ExecutionContext c, in Instruction i) => DecimalAdjust(c, subtract: false));
        table.Add(Mnemonic.Das, (ExecutionContext c, in Instruction i) => DecimalAdjust(c, subtract: true));
        table.Add(Mnemonic.Aaa, (ExecutionContext c, in Instruction i) => AsciiAdjust(c, subtract: false));
        table.Add(Mnemonic.Aas, (ExecutionContext c, in Instruction i) => AsciiAdjust(c, subtract: true));
        table.Add(Mnemonic.Aam, Aam);
        table.Add(Mnemonic.Aad, Aad);
    }

    private static ExitReason DecimalAdjust(ExecutionContext cpu, bool subtract)
    {
        ulong oldAl = cpu.ReadRegister(Register.AL);
        bool oldCf = cpu.GetFlag(RflagsBits.CF);
        ulong al = oldAl;
        bool cf = false;
        bool af = false;
        if ((al & 0xF) > 9 || cpu.GetFlag(RflagsBits.AF))
        {
            ulong adjusted = subtract ? al - 6 : al + 6;
            cf = oldCf || adjusted > 0xFF;
            al = adjusted & 0xFF;
            af = true;
        }

        if (oldAl > 0x99 || oldCf)
        {
            al = (subtract ? al - 0x60 : al + 0x60) & 0xFF;
            cf = true;
        }
        else if (!subtract)
        {
            cf = false;
        }

        cpu.WriteRegister(Register.AL, al);
        cpu.SetStatusFlags(FlagMath.Result(al, 1) | (cf ? RflagsBits.CF : 0) | (af ? RflagsBits.AF : 0));
        return ExitReason.Continue;
    }

    private static ExitReason AsciiAdjust(ExecutionContext cpu, bool subtract)
    {
        ulong ax = cpu.ReadRegister(Register.AX);
        bool adjust = (ax & 0xF) > 9 || cpu.GetFlag(RflagsBits.AF);
        if (adjust)
        {
            // The low-nibble adjust borrows or carries into AH, then AH moves by one more (SDM: AX ± 6, AH ± 1).
            ax = subtract ? ax - 0x106 : ax + 0x106;
        }

        cpu.WriteRegister(Register.AX, ax & 0xFF0F);
        cpu.SetFlags(RflagsBits.AF | RflagsBits.CF, adjust ? RflagsBits.AF | RflagsBits.CF : 0);
        return ExitReason.Continue;
    }

    private static ExitReason Aam(ExecutionContext cpu, in Instruction instruction)
    {
        ulong divisor = instruction.Immediate8;
        if (divisor == 0)
        {
            return cpu.Raise(ExceptionVector.DivideError);
        }

        ulong al = cpu.ReadRegister(Register.AL);
        ulong result = al % divisor;
        cpu.WriteRegister(Register.AX, ((al / divisor) << 8) | result);
        cpu.SetStatusFlags(FlagMath.Result(result, 1));
        return ExitReason.Continue;
    }

    private static ExitReason Aad(ExecutionContext cpu, in Instruction instruction)
    {
        ulong ax = cpu.ReadRegister(Register.AX);
        ulong al = ((ax & 0xFF) + ((ax >> 8) * instruction.Immediate8)) & 0xFF;
        cpu.WriteRegister(Register.AX, al);
        cpu.SetStatusFlags(FlagMath.Result(al, 1));
        return ExitReason.Continue;
    }
}
