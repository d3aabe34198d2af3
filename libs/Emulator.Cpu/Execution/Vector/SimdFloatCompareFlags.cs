using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// COMISS/COMISD (IE on any NaN) and UCOMISS/UCOMISD (IE on an SNaN only): ZF PF CF = 111 unordered, 000 greater,
/// 001 less, 100 equal; OF SF AF cleared (SDM vol. 2 COMISS).
/// </summary>
public static class SimdFloatCompareFlags
{
    public static void AddTo(DispatchTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        table.Add(Mnemonic.Comiss, (ExecutionContext c, in Instruction i) => Compare(c, i, SimdFloatFormat.Single, true), registers: OperandRegisters.Xmm);
        table.Add(Mnemonic.Ucomiss, (ExecutionContext c, in Instruction i) => Compare(c, i, SimdFloatFormat.Single, false), registers: OperandRegisters.Xmm);
        table.Add(Mnemonic.Comisd, (ExecutionContext c, in Instruction i) => Compare(c, i, SimdFloatFormat.Double, true), registers: OperandRegisters.Xmm);
        table.Add(Mnemonic.Ucomisd, (ExecutionContext c, in Instruction i) => Compare(c, i, SimdFloatFormat.Double, false), registers: OperandRegisters.Xmm);
    }

    private static ExitReason Compare(ExecutionContext cpu, in Instruction instruction, SimdFloatFormat f, bool signaling)
    {
        if (!VectorAccess.TryCheckAvailable(cpu, instruction)
            || !VectorAccess.TryRead(cpu, instruction, 1, out XmmRegister source))
        {
            return ExitReason.Exception;
        }

        XmmRegister destination = VectorAccess.ReadRegister(cpu, instruction.Op0Register);
        var env = SimdFloatEnvironment.FromMxcsr(cpu.State.Mxcsr);
        int? order = SimdFloat.Compare(f, destination.Low & f.Mask, source.Low & f.Mask, signaling, env);
        if (!SimdFloatHandler.TryCommitFlags(cpu, env))
        {
            return ExitReason.Exception;
        }

        ulong flags = order switch
        {
            null => RflagsBits.ZF | RflagsBits.PF | RflagsBits.CF,
            < 0 => RflagsBits.CF,
            0 => RflagsBits.ZF,
            _ => 0,
        };
        cpu.SetStatusFlags(flags);
        return ExitReason.Continue;
    }
}
