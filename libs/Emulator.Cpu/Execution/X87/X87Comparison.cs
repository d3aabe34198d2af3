using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// x87 comparison and classification (SDM vol. 1, 8.3.6 and 8.1.3.1; vol. 2 FCOM/FUCOM families, FICOM,
/// FCOMI/FUCOMI, FTST, FXAM).
/// </summary>
public static class X87Comparison
{
    private const OperandRegisters Registers = OperandRegisters.X87 | OperandRegisters.General;

    public static void AddTo(DispatchTable table)
    {
        foreach (Mnemonic m in new[] { Mnemonic.Fcom, Mnemonic.Fcomp, Mnemonic.Fcompp, Mnemonic.Fucom, Mnemonic.Fucomp, Mnemonic.Fucompp,
            Mnemonic.Ficom, Mnemonic.Ficomp, Mnemonic.Fcomi, Mnemonic.Fcomip, Mnemonic.Fucomi, Mnemonic.Fucomip, Mnemonic.Ftst })
        {
            table.Add(m, Compare, registers: Registers);
        }

        table.Add(Mnemonic.Fxam, Fxam, registers: Registers);
    }

    private static int PopsOf(Mnemonic m) => m switch
    {
        Mnemonic.Fcompp or Mnemonic.Fucompp => 2,
        Mnemonic.Fcomp or Mnemonic.Fucomp or Mnemonic.Ficomp or Mnemonic.Fcomip or Mnemonic.Fucomip => 1,
        _ => 0,
    };

    private static ExitReason Compare(ExecutionContext c, in Instruction i)
    {
        if (!X87Gate.TryEnter(c, i, waiting: true, control: false, out ExitReason reason))
        {
            return reason;
        }

        Mnemonic m = i.Mnemonic;
        bool quiet = m is Mnemonic.Fucom or Mnemonic.Fucomp or Mnemonic.Fucompp or Mnemonic.Fucomi or Mnemonic.Fucomip;
        bool toEflags = m is Mnemonic.Fcomi or Mnemonic.Fcomip or Mnemonic.Fucomi or Mnemonic.Fucomip;
        Float80 other;
        bool denormal = false;
        bool empty = X87Stack.IsEmpty(c, 0);
        if (m == Mnemonic.Ftst)
        {
            other = Float80Arithmetic.Zero(false);
        }
        else if (i.OpCount >= 1 && i.GetOpKind(i.OpCount - 1) == OpKind.Memory)
        {
            if (!X87Memory.TryReadValue(c, i, out other, out denormal))
            {
                return ExitReason.Exception;
            }
        }
        else
        {
            int index = i.OpCount == 0 ? 1 : X87Stack.IndexOf(i.GetOpRegister(i.OpCount - 1));
            empty |= X87Stack.IsEmpty(c, index);
            other = X87Stack.Get(c, index);
        }

        FloatRelation relation;
        if (empty)
        {
            if (!X87Stack.StackFault(c, overflow: false))
            {
                return ExitReason.Continue;
            }

            relation = FloatRelation.Unordered;
        }
        else
        {
            FloatStatus status = X87Stack.NewStatus(c);
            bool c1 = (c.State.Fsw & X87Status.C1) != 0;
            relation = Float80Arithmetic.Compare(X87Stack.Get(c, 0), other, status, signaling: !quiet, denormal);
            if (!X87Stack.Complete(c, status))
            {
                return ExitReason.Continue;
            }

            X87Stack.SetC1(c, c1);
        }

        bool less = relation is FloatRelation.Less or FloatRelation.Unordered;
        bool equal = relation is FloatRelation.Equal or FloatRelation.Unordered;
        bool unordered = relation == FloatRelation.Unordered;
        if (toEflags)
        {
            // Hardware leaves C1 alone here (it is cleared only by a stack underflow).
            ulong flags = (less ? RflagsBits.CF : 0) | (equal ? RflagsBits.ZF : 0) | (unordered ? RflagsBits.PF : 0);
            c.SetFlags(RflagsBits.CF | RflagsBits.ZF | RflagsBits.PF | RflagsBits.OF | RflagsBits.SF | RflagsBits.AF, flags);
        }
        else
        {
            X87Stack.SetConditions(c, less, false, unordered, equal);
        }

        for (int p = PopsOf(m); p > 0; p--)
        {
            X87Stack.Pop(c);
        }

        return ExitReason.Continue;
    }

    private static ExitReason Fxam(ExecutionContext c, in Instruction i)
    {
        if (!X87Gate.TryEnter(c, i, waiting: true, control: false, out ExitReason reason))
        {
            return reason;
        }

        Float80 value = X87Stack.Get(c, 0);
        bool sign = Float80Arithmetic.SignOf(value);
        int cls = X87Stack.IsEmpty(c, 0) ? 0b101
            : Float80Arithmetic.IsUnsupported(value) ? 0b000
            : Float80Arithmetic.IsNaN(value) ? 0b001
            : Float80Arithmetic.IsInfinity(value) ? 0b011
            : Float80Arithmetic.IsZero(value) ? 0b100
            : Float80Arithmetic.IsDenormal(value) ? 0b110
            : 0b010;

        // The class is C3:C2:C0.
        X87Stack.SetConditions(c, (cls & 1) != 0, sign, (cls & 2) != 0, (cls & 4) != 0);
        return ExitReason.Continue;
    }
}
