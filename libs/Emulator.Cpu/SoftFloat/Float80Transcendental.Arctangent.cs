namespace Emulator.Cpu;

public static partial class Float80Transcendental
{
    /// <summary>FPATAN: atan2(y, x), x = ST0, y = ST1, in [-pi, pi] (SDM vol. 2, FPATAN table: never invalid for numbers).</summary>
    public static Float80 Fpatan(Float80 x, Float80 y, FloatStatus status)
    {
        if (TryNaN(x, y, status, out Float80 nan))
        {
            return nan;
        }

        bool signX = Float80Arithmetic.SignOf(x);
        bool signY = Float80Arithmetic.SignOf(y);
        WideFloat result;
        if (Float80Arithmetic.IsZero(y))
        {
            if (!signX)
            {
                return y;
            }

            result = WideConstants.Pi;
        }
        else if (Float80Arithmetic.IsInfinity(y))
        {
            result = !Float80Arithmetic.IsInfinity(x) ? WideConstants.HalfPi
                : signX ? WideConstants.QuarterPi * WideFloat.FromInt(3) : WideConstants.QuarterPi;
        }
        else if (Float80Arithmetic.IsInfinity(x))
        {
            if (!signX)
            {
                return Float80Arithmetic.Zero(signY);
            }

            result = WideConstants.Pi;
        }
        else if (Float80Arithmetic.IsZero(x))
        {
            result = WideConstants.HalfPi;
        }
        else
        {
            WideFloat a = WideFloat.FromFloat80(y).Abs();
            WideFloat b = WideFloat.FromFloat80(x).Abs();
            result = WideFloat.MagnitudeLess(b, a) ? WideConstants.HalfPi - Atan(b / a) : Atan(a / b);
            if (signX)
            {
                result = WideConstants.Pi - result;
            }
        }

        return (signY ? -result : result).ToFloat80(status);
    }

    /// <summary>atan(t) for 0 &lt; t &lt;= 1, reduced below tan(pi/12) by atan(t) = pi/6 + atan((t sqrt3 - 1) / (t + sqrt3)).</summary>
    private static WideFloat Atan(WideFloat t)
    {
        if (!WideFloat.MagnitudeLess(WideConstants.TwoMinusSqrt3, t))
        {
            return AtanSeries(t);
        }

        WideFloat u = ((t * WideConstants.Sqrt3) - WideConstants.One) / (t + WideConstants.Sqrt3);
        return WideConstants.SixthPi + AtanSeries(u);
    }

    /// <summary>atan(u) = u - u^3/3 + u^5/5 - ..., |u| &lt;= 0.27 (under 40 terms).</summary>
    private static WideFloat AtanSeries(WideFloat u)
    {
        WideFloat sum = u;
        WideFloat power = u;
        WideFloat square = u * u;
        for (int k = 3; k < 400; k += 2)
        {
            power *= square;
            WideFloat term = power / WideFloat.FromInt(k);
            sum = (k & 2) != 0 ? sum - term : sum + term;
            if (Negligible(term, sum))
            {
                break;
            }
        }

        return sum;
    }
}
