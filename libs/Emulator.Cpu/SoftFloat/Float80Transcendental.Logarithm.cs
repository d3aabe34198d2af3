namespace Emulator.Cpu;

public static partial class Float80Transcendental
{
    /// <summary>FYL2X: y * log2(x), x = ST0, y = ST1 (SDM vol. 2, FYL2X table).</summary>
    public static Float80 Fyl2x(Float80 x, Float80 y, FloatStatus status)
    {
        if (TryNaN(x, y, status, out Float80 nan))
        {
            return nan;
        }

        bool signY = Float80Arithmetic.SignOf(y);
        if (Float80Arithmetic.IsZero(x))
        {
            // log2(0) = -inf: y * -inf, invalid for y = 0, a division by zero for finite y.
            if (Float80Arithmetic.IsZero(y))
            {
                return Invalid(status);
            }

            if (!Float80Arithmetic.IsInfinity(y))
            {
                Exceptional(status, FloatFlags.DivideByZero);
            }

            return Float80Arithmetic.Infinity(!signY);
        }

        if (Float80Arithmetic.SignOf(x))
        {
            return Invalid(status);
        }

        if (Float80Arithmetic.IsInfinity(x))
        {
            return Float80Arithmetic.IsZero(y) ? Invalid(status) : Float80Arithmetic.Infinity(signY);
        }

        WideFloat log = Log2(WideFloat.FromFloat80(x));
        return Product(y, log, status);
    }

    /// <summary>FYL2XP1: y * log2(x + 1), x = ST0 with |x| &lt; 1 - sqrt(2)/2 (beyond it, the log2(x + 1) of the value).</summary>
    public static Float80 Fyl2xp1(Float80 x, Float80 y, FloatStatus status)
    {
        if (TryNaN(x, y, status, out Float80 nan))
        {
            return nan;
        }

        bool signX = Float80Arithmetic.SignOf(x);
        bool signY = Float80Arithmetic.SignOf(y);
        if (Float80Arithmetic.IsZero(x))
        {
            return Float80Arithmetic.IsInfinity(y) ? Invalid(status) : Float80Arithmetic.Zero(signX ^ signY);
        }

        WideFloat wx = WideFloat.FromFloat80(x);
        bool belowMinusOne = signX && (Float80Arithmetic.IsInfinity(x) || wx.Exponent >= 0);
        if (belowMinusOne)
        {
            // x <= -1 is out of range (undefined): the host's result is then x itself, inexact, after the rules
            // for a zero or infinite y; x = -inf is invalid.
            if (Float80Arithmetic.IsInfinity(x))
            {
                return Invalid(status);
            }

            if (Float80Arithmetic.IsZero(y) || Float80Arithmetic.IsInfinity(y))
            {
                return Float80Arithmetic.IsZero(y) ? Float80Arithmetic.Zero(signX ^ signY) : Float80Arithmetic.Infinity(signX ^ signY);
            }

            status.Raise(FloatFlags.Inexact);
            return x;
        }

        if (Float80Arithmetic.IsInfinity(x))
        {
            return Fyl2x(x, y, status);
        }

        WideFloat log = wx.Exponent < -2 ? LnOnePlus(wx) * WideConstants.Log2E : Log2(wx + WideConstants.One);
        return Product(y, log, status);
    }

    /// <summary>y * log, with the zero and infinite y of the tables (log is nonzero unless x is 1).</summary>
    private static Float80 Product(Float80 y, WideFloat log, FloatStatus status)
    {
        bool sign = Float80Arithmetic.SignOf(y) ^ log.Sign;
        if (Float80Arithmetic.IsInfinity(y))
        {
            return log.IsZero ? Invalid(status) : Float80Arithmetic.Infinity(sign);
        }

        if (Float80Arithmetic.IsZero(y) || log.IsZero)
        {
            return Float80Arithmetic.Zero(sign);
        }

        Float80 result = (WideFloat.FromFloat80(y) * log).ToFloat80(status);
        if ((status.Flags & FloatFlags.Inexact) == 0)
        {
            // An exact y * log (x a power of two) is still reported inexact by the host, and a denormal one as an
            // underflow, but neither rounded nor flagged as rounded up.
            status.Raise(FloatFlags.Inexact | (Float80Arithmetic.ExponentOf(result) == 0 ? FloatFlags.Underflow : FloatFlags.None));
        }

        return result;
    }

    /// <summary>log2(v), v &gt; 0: the exponent plus ln(m)/ln(2) with m in [sqrt(2)/2, sqrt(2)); exact for powers of two.</summary>
    private static WideFloat Log2(WideFloat v)
    {
        int exponent = v.Exponent;
        var m = new WideFloat(false, 0, v.Significand);
        if (m.Significand > WideConstants.Sqrt2.Significand)
        {
            m = m.Scale(-1);
            exponent++;
        }

        WideFloat s = (m - WideConstants.One) / (m + WideConstants.One);
        return WideFloat.FromInt(exponent) + (AtanhSeries(s).Scale(1) * WideConstants.Log2E);
    }

    /// <summary>ln(1 + x) = 2 atanh(x / (2 + x)) for small |x|, without forming 1 + x.</summary>
    private static WideFloat LnOnePlus(WideFloat x) =>
        AtanhSeries(x / (x + WideConstants.One.Scale(1))).Scale(1);

    /// <summary>atanh(s) = s + s^3/3 + s^5/5 + ..., |s| &lt;= 0.18 here (under 30 terms).</summary>
    private static WideFloat AtanhSeries(WideFloat s)
    {
        WideFloat sum = s;
        WideFloat power = s;
        WideFloat square = s * s;
        for (int k = 3; k < 400; k += 2)
        {
            power *= square;
            WideFloat term = power / WideFloat.FromInt(k);
            sum += term;
            if (Negligible(term, sum))
            {
                break;
            }
        }

        return sum;
    }
}
