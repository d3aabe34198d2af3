using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// x87 transcendental instructions (SDM vol. 1, 8.3.9-8.3.10: F2XM1, FYL2X, FYL2XP1, FPTAN, FPATAN, FSIN,
/// FCOS, FSINCOS): the stack and condition-code handling around <see cref="Float80Transcendental"/>, which
/// computes the 64-bit results in extended precision. Trig operands of magnitude 2^63 or more are left
/// unchanged with C2 set.
/// </summary>
public static class X87Transcendental
{
    private const OperandRegisters Registers = OperandRegisters.X87 | OperandRegisters.General;

    public static void AddTo(DispatchTable table)
    {
        foreach (Mnemonic m in new[] { Mnemonic.F2xm1, Mnemonic.Fsin, Mnemonic.Fcos, Mnemonic.Fptan, Mnemonic.Fsincos })
        {
            table.Add(m, OneOperand, registers: Registers);
        }

        foreach (Mnemonic m in new[] { Mnemonic.Fyl2x, Mnemonic.Fyl2xp1, Mnemonic.Fpatan })
        {
            table.Add(m, TwoOperands, registers: Registers);
        }
    }

    private static ExitReason OneOperand(ExecutionContext c, in Instruction i)
    {
        if (!X87Gate.TryEnter(c, i, waiting: true, control: false, out ExitReason reason))
        {
            return reason;
        }

        Mnemonic m = i.Mnemonic;
        bool pushes = m is Mnemonic.Fptan or Mnemonic.Fsincos;
        bool trig = m is Mnemonic.Fsin or Mnemonic.Fcos or Mnemonic.Fptan or Mnemonic.Fsincos;
        if (X87Stack.IsEmpty(c, 0) || (pushes && !X87Stack.IsEmpty(c, 7)))
        {
            bool overflow = !X87Stack.IsEmpty(c, 0);
            if (trig)
            {
                // The host clears C2 (operand in range) on a stack fault too.
                c.State.Fsw &= unchecked((ushort)~X87Status.C2);
            }

            if (X87Stack.StackFault(c, overflow))
            {
                X87Stack.Set(c, 0, Float80Arithmetic.Indefinite);
                if (pushes)
                {
                    X87Stack.Push(c, Float80Arithmetic.Indefinite);
                }
            }

            return ExitReason.Continue;
        }

        Float80 a = X87Stack.Get(c, 0);
        FloatStatus status = X87Stack.NewStatus(c);
        if (trig && Float80Transcendental.OutOfTrigRange(a))
        {
            // Only C2 changes: C0, C1 and C3 keep their values, as on the host.
            c.State.Fsw |= X87Status.C2;
            return ExitReason.Continue;
        }

        Float80 first;
        Float80 second = Float80Arithmetic.One;
        switch (m)
        {
            case Mnemonic.F2xm1:
                first = Float80Transcendental.F2xm1(a, status);
                break;
            case Mnemonic.Fsin:
                first = Float80Transcendental.Sin(a, status);
                break;
            case Mnemonic.Fcos:
                first = Float80Transcendental.Cos(a, status);
                break;
            case Mnemonic.Fptan:
                first = Float80Transcendental.Tan(a, status);
                break;
            default:
                Float80Transcendental.SinCos(a, status, out first, out second);
                break;
        }

        Float80Transcendental.StopAtUnmaskedDenormal(status);
        bool write = X87Stack.Complete(c, status);
        if (trig)
        {
            // C2 = 0: the operand was in range (C1 is the round-up indication Complete set), also when an unmasked
            // exception keeps the result from being written.
            c.State.Fsw &= unchecked((ushort)~X87Status.C2);
        }

        if (!write)
        {
            return ExitReason.Continue;
        }

        if (m == Mnemonic.Fsincos)
        {
            X87Stack.Set(c, 0, first);
            X87Stack.Push(c, second);
        }
        else if (m == Mnemonic.Fptan)
        {
            X87Stack.Set(c, 0, first);
            X87Stack.Push(c, Float80Arithmetic.IsNaN(first) ? first : Float80Arithmetic.One);
        }
        else
        {
            X87Stack.Set(c, 0, first);
        }

        return ExitReason.Continue;
    }

    /// <summary>FYL2X: ST1 * log2(ST0); FYL2XP1: ST1 * log2(ST0 + 1); FPATAN: atan2(ST1, ST0). All pop, leaving the result in ST0.</summary>
    private static ExitReason TwoOperands(ExecutionContext c, in Instruction i)
    {
        if (!X87Gate.TryEnter(c, i, waiting: true, control: false, out ExitReason reason))
        {
            return reason;
        }

        if (X87Stack.IsEmpty(c, 0) || X87Stack.IsEmpty(c, 1))
        {
            if (X87Stack.StackFault(c, overflow: false))
            {
                X87Stack.Set(c, 1, Float80Arithmetic.Indefinite);
                X87Stack.Pop(c);
            }

            return ExitReason.Continue;
        }

        Float80 x = X87Stack.Get(c, 0);
        Float80 y = X87Stack.Get(c, 1);
        FloatStatus status = X87Stack.NewStatus(c);
        Float80 result = i.Mnemonic switch
        {
            Mnemonic.Fyl2x => Float80Transcendental.Fyl2x(x, y, status),
            Mnemonic.Fyl2xp1 => Float80Transcendental.Fyl2xp1(x, y, status),
            _ => Float80Transcendental.Fpatan(x, y, status),
        };

        Float80Transcendental.StopAtUnmaskedDenormal(status);
        if (X87Stack.Complete(c, status))
        {
            X87Stack.Set(c, 1, result);
            X87Stack.Pop(c);
        }

        return ExitReason.Continue;
    }
}
