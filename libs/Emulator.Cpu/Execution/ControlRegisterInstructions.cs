using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// Intel SDM vol. 2 "MOV—Move to/from Control Registers" and "MOV—Move to/from Debug Registers".
/// CPL 0 only (#GP(0) otherwise); CR1, CR5-CR7, CR9+ are #UD. The legality of each write is in
/// <see cref="ControlRegisterWrites"/>. Writes that change translation flush a
/// <see cref="PagedMemory"/>'s TLB (CR3: non-global entries, even for the same value) and call
/// <see cref="SystemServices.ControlRegisterWritten"/>. Debug registers: the breakpoints they set
/// are checked by the interpreter (<see cref="DebugExceptions"/>); with DR7.GD a MOV DR is a #DB
/// fault with DR6.BD set and GD cleared; DR4/DR5 alias DR6/DR7 unless CR4.DE (which is reserved here).
/// </summary>
public static class ControlRegisterInstructions
{
    /// <summary>CR0 bits whose change alters translation or rights.</summary>
    private const ulong Cr0Translation = Cr0Bits.PE | Cr0Bits.PG | Cr0Bits.WP;

    private const ulong Dr6Fixed1 = 0xFFFF_0FF0;
    private const ulong Dr7Fixed1 = 0x400;

    public static void AddTo(DispatchTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        table.Add(Code.Mov_r32_cr, ReadControl);
        table.Add(Code.Mov_r64_cr, ReadControl);
        table.Add(Code.Mov_cr_r32, WriteControl);
        table.Add(Code.Mov_cr_r64, WriteControl);
        table.Add(Code.Mov_r32_dr, ReadDebug);
        table.Add(Code.Mov_r64_dr, ReadDebug);
        table.Add(Code.Mov_dr_r32, WriteDebug);
        table.Add(Code.Mov_dr_r64, WriteDebug);
    }

    /// <summary>Tells the paging layer and the platform that translation may have changed.</summary>
    internal static void TranslationChanged(ExecutionContext cpu, bool flushAll, uint register)
    {
        if (cpu.Memory is PagedMemory paged)
        {
            if (flushAll)
            {
                paged.Tlb.FlushAll();
            }
            else
            {
                paged.Tlb.FlushNonGlobal();
            }
        }

        cpu.System.ControlRegisterWritten?.Invoke((int)register);
    }

    private static ExitReason ReadControl(ExecutionContext cpu, in Instruction instruction)
    {
        ref CpuState s = ref cpu.State;
        ulong? value = instruction.Op1Register switch
        {
            Register.CR0 => s.Cr0,
            Register.CR2 => s.Cr2,
            Register.CR3 => s.Cr3,
            Register.CR4 => s.Cr4,
            Register.CR8 => cpu.System.TaskPriority?.Cr8 ?? s.Cr8,
            _ => null,
        };
        if (value is not { } v)
        {
            return cpu.Raise(ExceptionVector.InvalidOpcode);
        }

        if (s.Cpl != 0)
        {
            return cpu.Raise(CpuFault.GeneralProtection());
        }

        cpu.WriteRegister(instruction.Op0Register, v);
        return ExitReason.Continue;
    }

    private static ExitReason WriteControl(ExecutionContext cpu, in Instruction instruction)
    {
        ref CpuState s = ref cpu.State;
        Register target = instruction.Op0Register;
        if (target is not (Register.CR0 or Register.CR2 or Register.CR3 or Register.CR4 or Register.CR8))
        {
            return cpu.Raise(ExceptionVector.InvalidOpcode);
        }

        if (s.Cpl != 0)
        {
            return cpu.Raise(CpuFault.GeneralProtection());
        }

        ulong value = cpu.ReadRegister(instruction.Op1Register);
        ulong cr0 = s.Cr0;
        ulong cr4 = s.Cr4;
        ulong efer = s.Efer;
        bool ok = target switch
        {
            Register.CR0 => ControlRegisterWrites.TryWriteCr0(ref s, value),
            Register.CR2 => SetCr2(ref s, value),
            Register.CR3 => ControlRegisterWrites.TryWriteCr3(ref s, value),
            Register.CR4 => ControlRegisterWrites.TryWriteCr4(ref s, value),
            _ => ControlRegisterWrites.TryWriteCr8(ref s, value),
        };
        if (!ok)
        {
            return cpu.Raise(CpuFault.GeneralProtection());
        }

        if (target == Register.CR8 && cpu.System.TaskPriority is { } taskPriority)
        {
            taskPriority.Cr8 = s.Cr8;
        }

        switch (target)
        {
            case Register.CR0 when ((cr0 ^ s.Cr0) & Cr0Translation) != 0 || efer != s.Efer:
                TranslationChanged(cpu, flushAll: true, 0);
                break;
            case Register.CR3:
                TranslationChanged(cpu, flushAll: false, 3);
                break;
            case Register.CR4 when cr4 != s.Cr4:
                TranslationChanged(cpu, flushAll: true, 4);
                break;
        }

        return ExitReason.Continue;
    }

    private static bool SetCr2(ref CpuState state, ulong value)
    {
        state.Cr2 = value;
        return true;
    }

    private static ExitReason ReadDebug(ExecutionContext cpu, in Instruction instruction)
    {
        ref CpuState s = ref cpu.State;
        if (!TryDebugIndex(cpu, instruction.Op1Register, out int index, out ExitReason fault))
        {
            return fault;
        }

        ulong value = index switch
        {
            0 => s.Dr0,
            1 => s.Dr1,
            2 => s.Dr2,
            3 => s.Dr3,
            6 => s.Dr6,
            _ => s.Dr7,
        };
        cpu.WriteRegister(instruction.Op0Register, value);
        return ExitReason.Continue;
    }

    private static ExitReason WriteDebug(ExecutionContext cpu, in Instruction instruction)
    {
        ref CpuState s = ref cpu.State;
        if (!TryDebugIndex(cpu, instruction.Op0Register, out int index, out ExitReason fault))
        {
            return fault;
        }

        ulong value = cpu.ReadRegister(instruction.Op1Register);
        if (index >= 6 && (value >> 32) != 0)
        {
            return cpu.Raise(CpuFault.GeneralProtection());
        }

        switch (index)
        {
            case 0: s.Dr0 = value; break;
            case 1: s.Dr1 = value; break;
            case 2: s.Dr2 = value; break;
            case 3: s.Dr3 = value; break;
            case 6: s.Dr6 = value | Dr6Fixed1; break;
            default: s.Dr7 = value | Dr7Fixed1; break;
        }

        return ExitReason.Continue;
    }

    /// <summary>DR0-3, DR6, DR7, with DR4/DR5 aliasing DR6/DR7 while CR4.DE is clear; others #UD; CPL above 0 #GP.</summary>
    private static bool TryDebugIndex(ExecutionContext cpu, Register register, out int index, out ExitReason fault)
    {
        index = register - Register.DR0;
        fault = ExitReason.Continue;
        if (index is 4 or 5 && (cpu.State.Cr4 & Cr4Bits.DE) == 0)
        {
            index += 2;
        }

        if (index is < 0 or 4 or 5 or > 7)
        {
            fault = cpu.Raise(ExceptionVector.InvalidOpcode);
            return false;
        }

        if (cpu.State.Cpl != 0)
        {
            fault = cpu.Raise(CpuFault.GeneralProtection());
            return false;
        }

        // General detect (SDM vol. 3, 18.2.4): the fault comes after the privilege check.
        if ((cpu.State.Dr7 & DebugExceptions.Dr7GD) != 0)
        {
            cpu.State.Dr7 &= ~DebugExceptions.Dr7GD;
            cpu.State.Dr6 = (cpu.State.Dr6 & ~DebugExceptions.Dr6Breakpoints) | DebugExceptions.Dr6BD | DebugExceptions.Dr6Fixed1;
            fault = cpu.Raise(ExceptionVector.Debug);
            return false;
        }

        return true;
    }
}
