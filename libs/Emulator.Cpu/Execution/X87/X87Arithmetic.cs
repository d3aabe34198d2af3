using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// x87 basic arithmetic (SDM vol. 1, 8.3.5; vol. 2 FADD/FSUB/FSUBR/FMUL/FDIV/FDIVR and their P and I forms,
/// FCHS, FABS, FSQRT, FRNDINT, FSCALE, FXTRACT, FPREM, FPREM1).
/// </summary>
public static class X87Arithmetic
{
    private const OperandRegisters Registers = OperandRegisters.X87 | OperandRegisters.General;

    private delegate Float80 BinaryOperation(Float80 a, Float80 b, FloatStatus status, bool denormalOperand);

    public static void AddTo(DispatchTable table)
    {
        foreach (Mnemonic m in new[] { Mnemonic.Fadd, Mnemonic.Faddp, Mnemonic.Fiadd, Mnemonic.Fsub, Mnemonic.Fsubp, Mnemonic.Fisub,
            Mnemonic.Fsubr, Mnemonic.Fsubrp, Mnemonic.Fisubr, Mnemonic.Fmul, Mnemonic.Fmulp, Mnemonic.Fimul,
            Mnemonic.Fdiv, Mnemonic.Fdivp, Mnemonic.Fidiv, Mnemonic.Fdivr, Mnemonic.Fdivrp, Mnemonic.Fidivr })
        {
            table.Add(m, Binary, registers: Registers);
        }

        table.Add(Mnemonic.Fchs, Unary, registers: Registers);
        table.Add(Mnemonic.Fabs, Unary, registers: Registers);
        table.Add(Mnemonic.Fsqrt, Unary, registers: Registers);
        table.Add(Mnemonic.Frndint, Unary, registers: Registers);
        table.Add(Mnemonic.Fscale, Fscale, registers: Registers);
        table.Add(Mnemonic.Fprem, Fprem, registers: Registers);
        table.Add(Mnemonic.Fprem1, Fprem, registers: Registers);
        table.Add(Mnemonic.Fxtract, Fxtract, registers: Registers);
    }

    private static BinaryOperation OperationOf(Mnemonic m) => m switch
    {
        Mnemonic.Fadd or Mnemonic.Faddp or Mnemonic.Fiadd => static (a, b, s, d) => Float80Arithmetic.Add(a, b, s, d),
        Mnemonic.Fsub or Mnemonic.Fsubp or Mnemonic.Fisub => static (a, b, s, d) => Float80Arithmetic.Subtract(a, b, s, d),
        Mnemonic.Fsubr or Mnemonic.Fsubrp or Mnemonic.Fisubr => static (a, b, s, d) => Float80Arithmetic.Subtract(b, a, s, d),
        Mnemonic.Fmul or Mnemonic.Fmulp or Mnemonic.Fimul => static (a, b, s, d) => Float80Arithmetic.Multiply(a, b, s, d),
        Mnemonic.Fdiv or Mnemonic.Fdivp or Mnemonic.Fidiv => static (a, b, s, d) => Float80Arithmetic.Divide(a, b, s, d),
        _ => static (a, b, s, d) => Float80Arithmetic.Divide(b, a, s, d),
    };

    /// <summary>
    /// dest = dest op source. Memory forms: ST(0) op m; register forms name the destination first. The
    /// reversed mnemonics compute source op dest.
    /// </summary>
    private static ExitReason Binary(ExecutionContext c, in Instruction i)
    {
        if (!X87Gate.TryEnter(c, i, waiting: true, control: false, out ExitReason reason))
        {
            return reason;
        }

        bool pop = i.Mnemonic is Mnemonic.Faddp or Mnemonic.Fsubp or Mnemonic.Fsubrp or Mnemonic.Fmulp or Mnemonic.Fdivp or Mnemonic.Fdivrp;
        int destination;
        Float80 source;
        bool denormal = false;
        bool sourceEmpty = false;
        if (i.OpCount == 1 && i.Op0Kind == OpKind.Memory)
        {
            destination = 0;
            if (!X87Memory.TryReadValue(c, i, out source, out denormal))
            {
                return ExitReason.Exception;
            }
        }
        else
        {
            destination = X87Stack.IndexOf(i.Op0Register);
            int from = X87Stack.IndexOf(i.Op1Register);
            sourceEmpty = X87Stack.IsEmpty(c, from);
            source = X87Stack.Get(c, from);
        }

        if (sourceEmpty || X87Stack.IsEmpty(c, destination))
        {
            if (X87Stack.StackFault(c, overflow: false))
            {
                X87Stack.Set(c, destination, Float80Arithmetic.Indefinite);
                if (pop)
                {
                    X87Stack.Pop(c);
                }
            }

            return ExitReason.Continue;
        }

        FloatStatus status = X87Stack.NewStatus(c);
        Float80 result = OperationOf(i.Mnemonic)(X87Stack.Get(c, destination), source, status, denormal);
        if (X87Stack.Complete(c, status))
        {
            X87Stack.Set(c, destination, result);
            if (pop)
            {
                X87Stack.Pop(c);
            }
        }

        return ExitReason.Continue;
    }

    private static ExitReason Unary(ExecutionContext c, in Instruction i)
    {
        if (!X87Gate.TryEnter(c, i, waiting: true, control: false, out ExitReason reason))
        {
            return reason;
        }

        if (X87Stack.IsEmpty(c, 0))
        {
            if (X87Stack.StackFault(c, overflow: false))
            {
                X87Stack.Set(c, 0, Float80Arithmetic.Indefinite);
            }

            return ExitReason.Continue;
        }

        Float80 value = X87Stack.Get(c, 0);
        FloatStatus status = X87Stack.NewStatus(c);
        Float80 result = i.Mnemonic switch
        {
            Mnemonic.Fchs => Float80Arithmetic.Negate(value),
            Mnemonic.Fabs => Float80Arithmetic.Abs(value),
            Mnemonic.Fsqrt => Float80Arithmetic.SquareRoot(value, status),
            _ => Float80Arithmetic.RoundToIntegral(value, status),
        };
        if (X87Stack.Complete(c, status))
        {
            X87Stack.Set(c, 0, result);
        }

        return ExitReason.Continue;
    }

    private static ExitReason Fscale(ExecutionContext c, in Instruction i)
    {
        if (!X87Gate.TryEnter(c, i, waiting: true, control: false, out ExitReason reason))
        {
            return reason;
        }

        if (X87Stack.IsEmpty(c, 0) || X87Stack.IsEmpty(c, 1))
        {
            if (X87Stack.StackFault(c, overflow: false))
            {
                X87Stack.Set(c, 0, Float80Arithmetic.Indefinite);
            }

            return ExitReason.Continue;
        }

        FloatStatus status = X87Stack.NewStatus(c);
        Float80 result = Float80Arithmetic.Scale(X87Stack.Get(c, 0), X87Stack.Get(c, 1), status);
        if (X87Stack.Complete(c, status))
        {
            X87Stack.Set(c, 0, result);
        }

        return ExitReason.Continue;
    }

    private static ExitReason Fprem(ExecutionContext c, in Instruction i)
    {
        if (!X87Gate.TryEnter(c, i, waiting: true, control: false, out ExitReason reason))
        {
            return reason;
        }

        if (X87Stack.IsEmpty(c, 0) || X87Stack.IsEmpty(c, 1))
        {
            c.State.Fsw &= unchecked((ushort)~X87Status.C2);
            if (X87Stack.StackFault(c, overflow: false))
            {
                X87Stack.Set(c, 0, Float80Arithmetic.Indefinite);
            }

            return ExitReason.Continue;
        }

        FloatStatus status = X87Stack.NewStatus(c);
        Float80 result = Float80Arithmetic.Remainder(X87Stack.Get(c, 0), X87Stack.Get(c, 1), i.Mnemonic == Mnemonic.Fprem1, status, out int quotient, out bool incomplete);
        bool write = X87Stack.Complete(c, status);
        if ((status.Flags & FloatFlags.Invalid) == 0 && !Float80Arithmetic.IsNaN(result))
        {
            // C0 = Q2, C3 = Q1, C1 = Q0; C2 = incomplete reduction.
            X87Stack.SetConditions(c, (quotient & 4) != 0, (quotient & 1) != 0, incomplete, (quotient & 2) != 0);
        }
        else
        {
            // A NaN result clears C1 and C2 and leaves C0 and C3 (observed on hardware).
            c.State.Fsw &= unchecked((ushort)~(X87Status.C1 | X87Status.C2));
        }

        if (write)
        {
            X87Stack.Set(c, 0, result);
        }

        return ExitReason.Continue;
    }

    private static ExitReason Fxtract(ExecutionContext c, in Instruction i)
    {
        if (!X87Gate.TryEnter(c, i, waiting: true, control: false, out ExitReason reason))
        {
            return reason;
        }

        if (X87Stack.IsEmpty(c, 0))
        {
            if (X87Stack.StackFault(c, overflow: false))
            {
                X87Stack.Set(c, 0, Float80Arithmetic.Indefinite);
                X87DataTransfer.PushChecked(c, Float80Arithmetic.Indefinite);
            }

            return ExitReason.Continue;
        }

        if (!X87Stack.IsEmpty(c, 7))
        {
            if (X87Stack.StackFault(c, overflow: true))
            {
                X87Stack.Set(c, 0, Float80Arithmetic.Indefinite);
                X87Stack.Push(c, Float80Arithmetic.Indefinite);
            }

            return ExitReason.Continue;
        }

        FloatStatus status = X87Stack.NewStatus(c);
        (Float80 exponent, Float80 significand) = Float80Arithmetic.Extract(X87Stack.Get(c, 0), status);
        if (X87Stack.Complete(c, status))
        {
            X87Stack.Set(c, 0, exponent);
            X87Stack.Push(c, significand);
        }

        return ExitReason.Continue;
    }
}
