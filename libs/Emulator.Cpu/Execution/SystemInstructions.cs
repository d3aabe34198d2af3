using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// Intel SDM vol. 2 CPUID, RDMSR, WRMSR, RDTSC, RDTSCP, CLTS, SWAPGS, WBINVD, INVD, INVLPG, UD2,
/// LFENCE/SFENCE/MFENCE and CLFLUSH. The privileged ones raise #GP(0) above CPL 0. Caches are not
/// modelled, so WBINVD, INVD, the fences and CLFLUSH (after its read-like address check) do nothing.
/// </summary>
public static class SystemInstructions
{
    public static void AddTo(DispatchTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        table.Add(Mnemonic.Cpuid, Cpuid);
        table.Add(Mnemonic.Rdmsr, Rdmsr);
        table.Add(Mnemonic.Wrmsr, Wrmsr);
        table.Add(Mnemonic.Rdtsc, Rdtsc);
        table.Add(Mnemonic.Rdtscp, Rdtscp);
        table.Add(Mnemonic.Clts, Clts);
        table.Add(Mnemonic.Swapgs, Swapgs);
        table.Add(Mnemonic.Wbinvd, Privileged);
        table.Add(Mnemonic.Invd, Privileged);
        table.Add(Mnemonic.Invlpg, Invlpg);
        table.Add(Mnemonic.Ud2, (ExecutionContext c, in Instruction i) => c.Raise(ExceptionVector.InvalidOpcode));
        table.Add(Mnemonic.Lfence, Nothing);
        table.Add(Mnemonic.Sfence, Nothing);
        table.Add(Mnemonic.Mfence, Nothing);
        table.Add(Mnemonic.Clflush, Clflush);
    }

    private static ExitReason Nothing(ExecutionContext cpu, in Instruction instruction) => ExitReason.Continue;

    private static ExitReason Privileged(ExecutionContext cpu, in Instruction instruction) =>
        cpu.State.Cpl != 0 ? cpu.Raise(CpuFault.GeneralProtection()) : ExitReason.Continue;

    private static ExitReason Cpuid(ExecutionContext cpu, in Instruction instruction)
    {
        ref CpuState s = ref cpu.State;
        CpuidResult r = cpu.System.Cpuid.Query((uint)s.Gpr[(int)GeneralRegister.Rax], (uint)s.Gpr[(int)GeneralRegister.Rcx]);
        s.Gpr[(int)GeneralRegister.Rax] = r.Eax;
        s.Gpr[(int)GeneralRegister.Rbx] = r.Ebx;
        s.Gpr[(int)GeneralRegister.Rcx] = r.Ecx;
        s.Gpr[(int)GeneralRegister.Rdx] = r.Edx;
        return ExitReason.Continue;
    }

    private static ExitReason Rdmsr(ExecutionContext cpu, in Instruction instruction)
    {
        ref CpuState s = ref cpu.State;
        if (s.Cpl != 0 || !ModelSpecificRegisters.TryRead(ref s, cpu.System, (uint)s.Gpr[(int)GeneralRegister.Rcx], out ulong value))
        {
            return cpu.Raise(CpuFault.GeneralProtection());
        }

        s.Gpr[(int)GeneralRegister.Rax] = value & 0xFFFF_FFFF;
        s.Gpr[(int)GeneralRegister.Rdx] = value >> 32;
        return ExitReason.Continue;
    }

    private static ExitReason Wrmsr(ExecutionContext cpu, in Instruction instruction)
    {
        ref CpuState s = ref cpu.State;
        uint index = (uint)s.Gpr[(int)GeneralRegister.Rcx];
        ulong value = (s.Gpr[(int)GeneralRegister.Rdx] << 32) | (s.Gpr[(int)GeneralRegister.Rax] & 0xFFFF_FFFF);
        ulong efer = s.Efer;
        if (s.Cpl != 0 || !ModelSpecificRegisters.TryWrite(ref s, cpu.System, index, value))
        {
            return cpu.Raise(CpuFault.GeneralProtection());
        }

        if (index == MsrIndex.Efer && efer != s.Efer)
        {
            ControlRegisterInstructions.TranslationChanged(cpu, flushAll: true, MsrIndex.Efer);
        }

        return ExitReason.Continue;
    }

    private static ExitReason Rdtsc(ExecutionContext cpu, in Instruction instruction)
    {
        ref CpuState s = ref cpu.State;
        if ((s.Cr4 & Cr4Bits.TSD) != 0 && s.Cpl != 0)
        {
            return cpu.Raise(CpuFault.GeneralProtection());
        }

        ulong tsc = cpu.System.Tsc;
        s.Gpr[(int)GeneralRegister.Rax] = tsc & 0xFFFF_FFFF;
        s.Gpr[(int)GeneralRegister.Rdx] = tsc >> 32;
        return ExitReason.Continue;
    }

    private static ExitReason Rdtscp(ExecutionContext cpu, in Instruction instruction)
    {
        ExitReason reason = Rdtsc(cpu, instruction);
        if (reason == ExitReason.Continue)
        {
            cpu.State.Gpr[(int)GeneralRegister.Rcx] = cpu.State.TscAux & 0xFFFF_FFFF;
        }

        return reason;
    }

    private static ExitReason Clts(ExecutionContext cpu, in Instruction instruction)
    {
        if (cpu.State.Cpl != 0)
        {
            return cpu.Raise(CpuFault.GeneralProtection());
        }

        cpu.State.Cr0 &= ~Cr0Bits.TS;
        return ExitReason.Continue;
    }

    /// <summary>64-bit mode only (Iced decodes it only there; any other mode is #UD anyway).</summary>
    private static ExitReason Swapgs(ExecutionContext cpu, in Instruction instruction)
    {
        ref CpuState s = ref cpu.State;
        if (!s.In64BitMode)
        {
            return cpu.Raise(ExceptionVector.InvalidOpcode);
        }

        if (s.Cpl != 0)
        {
            return cpu.Raise(CpuFault.GeneralProtection());
        }

        ref ulong gsBase = ref s.Segments[(int)SegmentRegister.Gs].Base;
        (gsBase, s.KernelGsBase) = (s.KernelGsBase, gsBase);
        return ExitReason.Continue;
    }

    private static ExitReason Invlpg(ExecutionContext cpu, in Instruction instruction)
    {
        if (cpu.State.Cpl != 0)
        {
            return cpu.Raise(CpuFault.GeneralProtection());
        }

        // Unchecked on purpose: INVLPG neither checks limits nor faults on a non-canonical address (SDM vol. 2, INVLPG).
        ulong linear = cpu.LinearAddress(instruction);
        if (cpu.Memory is PagedMemory paged)
        {
            paged.Tlb.Invalidate(linear);
        }

        return ExitReason.Continue;
    }

    /// <summary>CLFLUSH faults as a one-byte read of its operand would (SDM vol. 2, CLFLUSH), then does nothing.</summary>
    private static ExitReason Clflush(ExecutionContext cpu, in Instruction instruction) =>
        cpu.TryLinearAddress(instruction, 1, MemoryAccess.Read, out ulong linear) && cpu.TryReadMemory(linear, 1, out _)
            ? ExitReason.Continue : ExitReason.Exception;
}
