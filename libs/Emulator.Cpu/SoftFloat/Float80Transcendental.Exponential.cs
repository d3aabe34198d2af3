namespace Emulator.Cpu;

public static partial class Float80Transcendental
{
    /// <summary>
    /// F2XM1: 2^x - 1 for -1 &lt;= x &lt;= 1. Outside that range the result is undefined; the infinities give
    /// their limits and other operands stay unchanged, as on the host.
    /// </summary>
    public static Float80 F2xm1(Float80 a, FloatStatus status)
    {
        if (TryNaN(a, status, out Float80 nan))
        {
            return nan;
        }

        bool sign = Float80Arithmetic.SignOf(a);
        if (Float80Arithmetic.IsZero(a))
        {
            return a;
        }

        if (Float80Arithmetic.IsInfinity(a))
        {
            return sign ? Float80Arithmetic.Negate(Float80Arithmetic.One) : a;
        }

        WideFloat x = WideFloat.FromFloat80(a);
        if (x.Exponent > 0 || (x.Exponent == 0 && x.Significand != WideConstants.One.Significand))
        {
            // Out of range (undefined): the host leaves the operand unchanged and reports it inexact.
            status.Raise(FloatFlags.Inexact);
            return a;
        }

        // x = +-1 is not special-cased: the host too reports 2^1 - 1 = 1 as inexact and rounded up.
        return ExpMinusOne(x * WideConstants.Ln2).ToFloat80(status);
    }

    /// <summary>e^t - 1 by its Taylor series, |t| &lt; 0.7: no cancellation for small t, about 35 terms.</summary>
    private static WideFloat ExpMinusOne(WideFloat t)
    {
        WideFloat sum = t;
        WideFloat term = t;
        for (int n = 2; n < 200; n++)
        {
            term = term * t / WideFloat.FromInt(n);
            sum += term;
            if (Negligible(term, sum))
            {
                break;
            }
        }

        return sum;
    }
}
