using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// MXCSR and MMX-state management: LDMXCSR/STMXCSR (#GP(0) on a reserved MXCSR bit), EMMS (all x87
/// tags empty), and the PREFETCH hints, which never fault (SDM vol. 2 PREFETCHh) and so are no-ops.
/// </summary>
public static class VectorStateInstructions
{
    public static void AddTo(DispatchTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        table.Add(Mnemonic.Ldmxcsr, LoadMxcsr);
        table.Add(Mnemonic.Stmxcsr, StoreMxcsr);
        table.Add(Mnemonic.Emms, Emms);
        foreach (Mnemonic m in new[] { Mnemonic.Prefetchnta, Mnemonic.Prefetcht0, Mnemonic.Prefetcht1, Mnemonic.Prefetcht2, Mnemonic.Prefetchw })
        {
            table.Add(m, static (ExecutionContext c, in Instruction i) => ExitReason.Continue);
        }
    }

    private static ExitReason LoadMxcsr(ExecutionContext cpu, in Instruction instruction)
    {
        if (!VectorAccess.TryCheckAvailable(cpu, instruction, sse: true)
            || !cpu.TryReadOperand(instruction, 0, 4, out ulong value))
        {
            return ExitReason.Exception;
        }

        if ((value & ~(ulong)VectorAccess.MxcsrMask) != 0)
        {
            return cpu.Raise(CpuFault.GeneralProtection());
        }

        cpu.State.Mxcsr = (uint)value;
        return ExitReason.Continue;
    }

    private static ExitReason StoreMxcsr(ExecutionContext cpu, in Instruction instruction)
    {
        if (!VectorAccess.TryCheckAvailable(cpu, instruction, sse: true)
            || !cpu.TryWriteOperand(instruction, 0, 4, cpu.State.Mxcsr))
        {
            return ExitReason.Exception;
        }

        return ExitReason.Continue;
    }

    private static ExitReason Emms(ExecutionContext cpu, in Instruction instruction)
    {
        if (!VectorAccess.TryCheckAvailable(cpu, instruction))
        {
            return ExitReason.Exception;
        }

        cpu.State.Ftw = 0;
        return ExitReason.Continue;
    }
}
