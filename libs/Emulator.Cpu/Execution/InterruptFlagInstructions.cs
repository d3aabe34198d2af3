using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// Intel SDM vol. 2 CLI, STI, PUSHF/PUSHFD/PUSHFQ, POPF/POPFD/POPFQ with their IOPL rules. VME and
/// PVI are not advertised, so there is no virtual-interrupt-flag path: where the manual would use
/// VIF these raise #GP(0). STI sets <see cref="CpuState.InterruptShadow"/> when it sets IF.
/// </summary>
public static class InterruptFlagInstructions
{
    /// <summary>Every RFLAGS bit that exists (bits 1, 3, 5, 15 and 22+ are reserved).</summary>
    private const ulong Defined = 0x003F_7FD5;

    private const ulong Iopl = 3UL << 12;
    private const ulong Vif = 1UL << 19;
    private const ulong Vip = 1UL << 20;

    public static void AddTo(DispatchTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        table.Add(Mnemonic.Cli, Cli);
        table.Add(Mnemonic.Sti, Sti);
        table.Add(Mnemonic.Pushf, (ExecutionContext c, in Instruction i) => Pushf(c, 2));
        table.Add(Mnemonic.Pushfd, (ExecutionContext c, in Instruction i) => Pushf(c, 4));
        table.Add(Mnemonic.Pushfq, (ExecutionContext c, in Instruction i) => Pushf(c, 8));
        table.Add(Mnemonic.Popf, (ExecutionContext c, in Instruction i) => Popf(c, 2));
        table.Add(Mnemonic.Popfd, (ExecutionContext c, in Instruction i) => Popf(c, 4));
        table.Add(Mnemonic.Popfq, (ExecutionContext c, in Instruction i) => Popf(c, 8));
    }

    private static int IoplOf(ulong rflags) => (int)((rflags >> 12) & 3);

    private static bool InVirtual8086(in CpuState state) => state.ProtectedMode && (state.Rflags & RflagsBits.VM) != 0;

    /// <summary>Real mode always; protected mode when CPL ≤ IOPL; virtual-8086 mode when IOPL is 3.</summary>
    private static bool MayChangeIf(in CpuState state)
    {
        if (!state.ProtectedMode)
        {
            return true;
        }

        int iopl = IoplOf(state.Rflags);
        return InVirtual8086(state) ? iopl == 3 : state.Cpl <= iopl;
    }

    private static ExitReason Cli(ExecutionContext cpu, in Instruction instruction)
    {
        if (!MayChangeIf(cpu.State))
        {
            return cpu.Raise(CpuFault.GeneralProtection());
        }

        cpu.SetFlags(RflagsBits.IF, 0);
        return ExitReason.Continue;
    }

    private static ExitReason Sti(ExecutionContext cpu, in Instruction instruction)
    {
        if (!MayChangeIf(cpu.State))
        {
            return cpu.Raise(CpuFault.GeneralProtection());
        }

        if (!cpu.GetFlag(RflagsBits.IF))
        {
            // Interrupts stay held off until the instruction after STI has retired (SDM vol. 2, STI).
            cpu.State.InterruptShadow = 1;
        }

        cpu.SetFlags(RflagsBits.IF, RflagsBits.IF);
        return ExitReason.Continue;
    }

    /// <summary>The image has VM and RF clear (SDM vol. 2, PUSHF); in virtual-8086 mode IOPL must be 3.</summary>
    private static ExitReason Pushf(ExecutionContext cpu, int size)
    {
        ref CpuState s = ref cpu.State;
        if (InVirtual8086(s) && IoplOf(s.Rflags) != 3)
        {
            return cpu.Raise(CpuFault.GeneralProtection());
        }

        ulong image = s.Rflags & ~(RflagsBits.VM | RflagsBits.RF);
        return cpu.TryPush(image & FlagMath.Mask(size), size) ? ExitReason.Continue : ExitReason.Exception;
    }

    /// <summary>
    /// Which bits POPF may change (SDM vol. 2, POPF): never VM, VIP, VIF; IOPL only at CPL 0; IF only
    /// when CPL ≤ IOPL (in virtual-8086 mode, with IOPL 3, not IOPL). RF is cleared. A 16-bit POPF
    /// changes only the low 16 bits.
    /// </summary>
    private static ExitReason Popf(ExecutionContext cpu, int size)
    {
        ref CpuState s = ref cpu.State;
        bool v86 = InVirtual8086(s);
        if (v86 && IoplOf(s.Rflags) != 3)
        {
            return cpu.Raise(CpuFault.GeneralProtection());
        }

        if (!cpu.TryPeek(size, out ulong popped))
        {
            return ExitReason.Exception;
        }

        ulong writable = Defined & ~(RflagsBits.VM | Vip | Vif | RflagsBits.RF);
        if (v86 || (s.ProtectedMode && s.Cpl != 0))
        {
            writable &= ~Iopl;
        }

        if (!v86 && s.ProtectedMode && s.Cpl > IoplOf(s.Rflags))
        {
            writable &= ~RflagsBits.IF;
        }

        writable &= FlagMath.Mask(size);
        cpu.SetStackPointer(cpu.StackPointer + (ulong)size);
        cpu.Rflags = ((s.Rflags & ~writable) | (popped & writable)) & ~RflagsBits.RF;
        return ExitReason.Continue;
    }
}
