using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// x87 control (SDM vol. 1, 8.3.11; vol. 2 FINIT, FCLEX, FSTSW, FSTCW, FLDCW, FFREE, FINCSTP, FDECSTP, FNOP,
/// WAIT). The FN forms do not check for a pending exception; the waiting forms (Iced decodes the 9B
/// prefix into them) do.
/// </summary>
public static class X87Control
{
    private const OperandRegisters Registers = OperandRegisters.X87 | OperandRegisters.General;

    public static void AddTo(DispatchTable table)
    {
        table.Add(Mnemonic.Fninit, Init, registers: Registers);
        table.Add(Mnemonic.Finit, Init, registers: Registers);
        table.Add(Mnemonic.Fnclex, Clex, registers: Registers);
        table.Add(Mnemonic.Fclex, Clex, registers: Registers);
        table.Add(Mnemonic.Fnstsw, Stsw, registers: Registers);
        table.Add(Mnemonic.Fstsw, Stsw, registers: Registers);
        table.Add(Mnemonic.Fnstcw, Stcw, registers: Registers);
        table.Add(Mnemonic.Fstcw, Stcw, registers: Registers);
        table.Add(Mnemonic.Fldcw, Ldcw, registers: Registers);
        table.Add(Mnemonic.Ffree, Ffree, registers: Registers);
        table.Add(Mnemonic.Ffreep, Ffree, registers: Registers);
        table.Add(Mnemonic.Fincstp, Incdec, registers: Registers);
        table.Add(Mnemonic.Fdecstp, Incdec, registers: Registers);
        table.Add(Mnemonic.Fnop, Fnop, registers: Registers);
        table.Add(Mnemonic.Wait, Wait, registers: Registers);

        // The 8087/287 FENI, FDISI and FSETPM are no-ops on later processors.
        table.Add(Mnemonic.Fneni, Legacy, registers: Registers);
        table.Add(Mnemonic.Fndisi, Legacy, registers: Registers);
        table.Add(Mnemonic.Fnsetpm, Legacy, registers: Registers);
    }

    private static ExitReason Legacy(ExecutionContext c, in Instruction i) =>
        X87Gate.TryEnter(c, i, waiting: false, control: true, out ExitReason reason) ? ExitReason.Continue : reason;

    private static bool IsWaiting(Mnemonic m) => m is Mnemonic.Finit or Mnemonic.Fclex or Mnemonic.Fstsw or Mnemonic.Fstcw;

    public static void Reset(ref CpuState s)
    {
        s.Fcw = X87Status.DefaultControlWord;
        s.Fsw = 0;
        s.FpuTop = 0;
        s.Ftw = 0;
        s.Fip = 0;
        s.Fdp = 0;
        s.Fop = 0;
        s.Fcs = 0;
        s.Fds = 0;
    }

    private static ExitReason Init(ExecutionContext c, in Instruction i)
    {
        if (!X87Gate.TryEnter(c, i, IsWaiting(i.Mnemonic), control: true, out ExitReason reason))
        {
            return reason;
        }

        Reset(ref c.State);
        return ExitReason.Continue;
    }

    private static ExitReason Clex(ExecutionContext c, in Instruction i)
    {
        if (!X87Gate.TryEnter(c, i, IsWaiting(i.Mnemonic), control: true, out ExitReason reason))
        {
            return reason;
        }

        c.State.Fsw &= 0x7F00;
        return ExitReason.Continue;
    }

    private static ExitReason Stsw(ExecutionContext c, in Instruction i)
    {
        if (!X87Gate.TryEnter(c, i, IsWaiting(i.Mnemonic), control: true, out ExitReason reason))
        {
            return reason;
        }

        ushort value = c.State.FswWithTop;
        if (i.Op0Kind == OpKind.Register)
        {
            c.WriteRegister(Register.AX, value);
            return ExitReason.Continue;
        }

        return c.TryLinearAddress(i, 2, MemoryAccess.Write, out ulong linear) && X87Memory.TryWriteScalar(c, linear, 2, value) ? ExitReason.Continue : ExitReason.Exception;
    }

    private static ExitReason Stcw(ExecutionContext c, in Instruction i)
    {
        if (!X87Gate.TryEnter(c, i, IsWaiting(i.Mnemonic), control: true, out ExitReason reason))
        {
            return reason;
        }

        return c.TryLinearAddress(i, 2, MemoryAccess.Write, out ulong linear) && X87Memory.TryWriteScalar(c, linear, 2, c.State.Fcw) ? ExitReason.Continue : ExitReason.Exception;
    }

    private static ExitReason Ldcw(ExecutionContext c, in Instruction i)
    {
        if (!X87Gate.TryEnter(c, i, waiting: true, control: true, out ExitReason reason))
        {
            return reason;
        }

        if (!c.TryLinearAddress(i, 2, MemoryAccess.Read, out ulong linear) || !c.TryReadMemory(linear, 2, out ulong value))
        {
            return ExitReason.Exception;
        }

        // Bit 6 reads as 1 and bits 13-15 are reserved (zero), as hardware stores them back.
        c.State.Fcw = (ushort)((value & 0x1F3F) | 0x0040);
        X87Stack.UpdateErrorSummary(c);
        return ExitReason.Continue;
    }

    private static ExitReason Ffree(ExecutionContext c, in Instruction i)
    {
        if (!X87Gate.TryEnter(c, i, waiting: true, control: false, out ExitReason reason))
        {
            return reason;
        }

        X87Stack.Free(c, X87Stack.IndexOf(i.Op0Register));

        // C1 is documented as undefined; hardware clears it.
        X87Stack.SetC1(c, false);
        if (i.Mnemonic == Mnemonic.Ffreep)
        {
            X87Stack.Pop(c);
        }

        return ExitReason.Continue;
    }

    private static ExitReason Incdec(ExecutionContext c, in Instruction i)
    {
        if (!X87Gate.TryEnter(c, i, waiting: true, control: false, out ExitReason reason))
        {
            return reason;
        }

        int delta = i.Mnemonic == Mnemonic.Fincstp ? 1 : -1;
        c.State.FpuTop = (byte)((c.State.FpuTop + delta) & 7);
        X87Stack.SetC1(c, false);
        return ExitReason.Continue;
    }

    private static ExitReason Fnop(ExecutionContext c, in Instruction i) =>
        X87Gate.TryEnter(c, i, waiting: true, control: false, out ExitReason reason) ? ExitReason.Continue : reason;

    /// <summary>WAIT/FWAIT: #NM only when both CR0.MP and CR0.TS are set; then the pending-exception check.</summary>
    private static ExitReason Wait(ExecutionContext c, in Instruction i)
    {
        ref CpuState s = ref c.State;
        if ((s.Cr0 & (Cr0Bits.MP | Cr0Bits.TS)) == (Cr0Bits.MP | Cr0Bits.TS))
        {
            return c.Raise(X87Status.DeviceNotAvailable);
        }

        if ((s.Fsw & X87Status.ErrorSummary) != 0 && (s.Cr0 & Cr0Bits.NE) != 0)
        {
            return c.Raise(X87Status.FloatingPointError);
        }

        return ExitReason.Continue;
    }
}
