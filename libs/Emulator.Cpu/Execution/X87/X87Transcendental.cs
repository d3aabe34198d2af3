using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// x87 transcendental instructions (SDM vol. 1, 8.3.9-8.3.10: F2XM1, FYL2X, FYL2XP1, FPTAN, FPATAN, FSIN,
/// FCOS, FSINCOS). Computed in binary64 through the host's libm, then widened: results carry about 53
/// correct bits (hardware gives about 64), PE is always reported for nonzero finite results, and C1 is
/// cleared. NaN/unsupported operands and the documented invalid cases follow the softfloat rules; trig
/// operands of magnitude 2^63 or more are left unchanged with C2 set.
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

    private static double ToDouble(Float80 value)
    {
        var status = new FloatStatus();
        return BitConverter.UInt64BitsToDouble(Float80Arithmetic.ToFloat64(value, status));
    }

    private static Float80 FromDouble(double value, FloatStatus status)
    {
        Float80 result = Float80Arithmetic.FromFloat64(BitConverter.DoubleToUInt64Bits(value), out _);
        if (!double.IsNaN(value) && !double.IsInfinity(value) && value != 0)
        {
            status.Raise(FloatFlags.Inexact);
        }

        if (double.IsNaN(value))
        {
            status.Raise(FloatFlags.Invalid);
            return Float80Arithmetic.Indefinite;
        }

        return result;
    }

    private static bool IsSpecialNaN(Float80 a, FloatStatus status, out Float80 result)
    {
        result = default;
        if (Float80Arithmetic.IsUnsupported(a))
        {
            status.Raise(FloatFlags.Invalid);
            result = Float80Arithmetic.Indefinite;
            return true;
        }

        if (Float80Arithmetic.IsNaN(a))
        {
            if (Float80Arithmetic.IsSignalingNaN(a))
            {
                status.Raise(FloatFlags.Invalid);
            }

            result = Float80Arithmetic.Quiet(a);
            return true;
        }

        if (Float80Arithmetic.IsDenormal(a))
        {
            status.Raise(FloatFlags.Denormal);
        }

        return false;
    }

    private static ExitReason OneOperand(ExecutionContext c, in Instruction i)
    {
        if (!X87Gate.TryEnter(c, i, waiting: true, control: false, out ExitReason reason))
        {
            return reason;
        }

        Mnemonic m = i.Mnemonic;
        bool pushes = m is Mnemonic.Fptan or Mnemonic.Fsincos;
        if (X87Stack.IsEmpty(c, 0) || (pushes && !X87Stack.IsEmpty(c, 7)))
        {
            bool overflow = !X87Stack.IsEmpty(c, 0);
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
        bool trig = m is Mnemonic.Fsin or Mnemonic.Fcos or Mnemonic.Fptan or Mnemonic.Fsincos;
        if (trig && !Float80Arithmetic.IsNaN(a) && !Float80Arithmetic.IsInfinity(a) && !Float80Arithmetic.IsUnsupported(a)
            && Float80Arithmetic.ExponentOf(a) >= Float80Arithmetic.Bias + 63)
        {
            X87Stack.SetConditions(c, false, false, true, false);
            return ExitReason.Continue;
        }

        Float80 first;
        Float80 second = Float80Arithmetic.One;
        if (IsSpecialNaN(a, status, out Float80 nan))
        {
            first = nan;
            second = nan;
        }
        else if (trig && Float80Arithmetic.IsInfinity(a))
        {
            status.Raise(FloatFlags.Invalid);
            first = Float80Arithmetic.Indefinite;
            second = first;
        }
        else
        {
            double x = ToDouble(a);
            switch (m)
            {
                case Mnemonic.F2xm1:
                    first = FromDouble(Math.Pow(2, x) - 1, status);
                    break;
                case Mnemonic.Fsin:
                    first = FromDouble(Math.Sin(x), status);
                    break;
                case Mnemonic.Fcos:
                    first = FromDouble(Math.Cos(x), status);
                    break;
                case Mnemonic.Fptan:
                    first = FromDouble(Math.Tan(x), status);
                    break;
                default:
                    first = FromDouble(Math.Sin(x), status);
                    second = FromDouble(Math.Cos(x), status);
                    break;
            }

            if (Float80Arithmetic.IsZero(a) && m != Mnemonic.Fcos && m != Mnemonic.Fsincos)
            {
                first = a;
            }
        }

        if (!X87Stack.Complete(c, status))
        {
            return ExitReason.Continue;
        }

        if (trig)
        {
            X87Stack.SetConditions(c, false, false, false, false);
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
        Float80 result;
        if (IsSpecialNaN(x, status, out Float80 nanX) | IsSpecialNaN(y, status, out Float80 nanY))
        {
            result = Float80Arithmetic.IsUnsupported(x) || Float80Arithmetic.IsUnsupported(y) ? Float80Arithmetic.Indefinite
                : Float80Arithmetic.IsNaN(x) && Float80Arithmetic.IsNaN(y) ? Float80Arithmetic.PickNaN(x, y)
                : Float80Arithmetic.IsNaN(x) ? nanX : nanY;
        }
        else
        {
            double dx = ToDouble(x);
            double dy = ToDouble(y);
            double value = i.Mnemonic switch
            {
                Mnemonic.Fyl2x => dy * Math.Log2(dx),
                Mnemonic.Fyl2xp1 => dy * Math.Log2(1 + dx),
                _ => Math.Atan2(dy, dx),
            };
            if (i.Mnemonic == Mnemonic.Fyl2x && dx == 0 && !double.IsNaN(value) && dy != 0)
            {
                status.Raise(FloatFlags.DivideByZero);
            }

            result = double.IsInfinity(value)
                ? Float80Arithmetic.Infinity(value < 0)
                : value == 0 ? Float80Arithmetic.Zero(double.IsNegative(value)) : FromDouble(value, status);
        }

        if (X87Stack.Complete(c, status))
        {
            X87Stack.Set(c, 1, result);
            X87Stack.Pop(c);
        }

        return ExitReason.Continue;
    }
}
