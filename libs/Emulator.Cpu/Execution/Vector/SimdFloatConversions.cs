using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// SSE/SSE2 conversions (SDM vol. 2 CVT*): integer to float (rounded by MXCSR.RC), float to integer (rounded or,
/// in the CVTT* forms, truncated; the integer indefinite on NaN or overflow), single to double and back, and the
/// MMX forms CVTPI2PS/CVTPS2PI/CVTTPS2PI/CVTPI2PD/CVTPD2PI/CVTTPD2PI. Elements not written keep the destination's
/// value unless the SDM zeroes them (CVTPD2PS, CVTPD2DQ, CVTTPD2DQ clear the upper quadword).
/// </summary>
public static class SimdFloatConversions
{
    private const OperandRegisters Registers = OperandRegisters.Xmm | OperandRegisters.Mmx | OperandRegisters.General;

    private static readonly SimdFloatFormat S = SimdFloatFormat.Single;
    private static readonly SimdFloatFormat D = SimdFloatFormat.Double;

    private delegate void Conversion(Span<byte> destination, ReadOnlySpan<byte> source, SimdFloatEnvironment env, int destinationBits, int sourceBits);

    public static void AddTo(DispatchTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        Add(table, Mnemonic.Cvtsi2ss, static (d, s, env, _, bits) => Set(d, S, 0, SimdFloat.FromInteger(S, SignedInteger(s, bits), env)));
        Add(table, Mnemonic.Cvtsi2sd, static (d, s, env, _, bits) => Set(d, D, 0, SimdFloat.FromInteger(D, SignedInteger(s, bits), env)));
        Add(table, Mnemonic.Cvtss2si, static (d, s, env, bits, _) => SetInteger(d, SimdFloat.ToInteger(S, Get(s, S, 0), bits, false, env)));
        Add(table, Mnemonic.Cvttss2si, static (d, s, env, bits, _) => SetInteger(d, SimdFloat.ToInteger(S, Get(s, S, 0), bits, true, env)));
        Add(table, Mnemonic.Cvtsd2si, static (d, s, env, bits, _) => SetInteger(d, SimdFloat.ToInteger(D, Get(s, D, 0), bits, false, env)));
        Add(table, Mnemonic.Cvttsd2si, static (d, s, env, bits, _) => SetInteger(d, SimdFloat.ToInteger(D, Get(s, D, 0), bits, true, env)));
        Add(table, Mnemonic.Cvtss2sd, static (d, s, env, _, _) => Set(d, D, 0, SimdFloat.Convert(S, D, Get(s, S, 0), env)));
        Add(table, Mnemonic.Cvtsd2ss, static (d, s, env, _, _) => Set(d, S, 0, SimdFloat.Convert(D, S, Get(s, D, 0), env)));
        Add(table, Mnemonic.Cvtps2pd, static (d, s, env, _, _) => Map(d, s, 2, D, S, (v, e) => SimdFloat.Convert(S, D, v, e), env));
        Add(table, Mnemonic.Cvtpd2ps, static (d, s, env, _, _) => MapClearHigh(d, s, 2, S, D, (v, e) => SimdFloat.Convert(D, S, v, e), env));
        Add(table, Mnemonic.Cvtdq2ps, static (d, s, env, _, _) => Map(d, s, 4, S, S, (v, e) => SimdFloat.FromInteger(S, (int)v, e), env));
        Add(table, Mnemonic.Cvtps2dq, static (d, s, env, _, _) => Map(d, s, 4, S, S, (v, e) => SimdFloat.ToInteger(S, v, 32, false, e), env));
        Add(table, Mnemonic.Cvttps2dq, static (d, s, env, _, _) => Map(d, s, 4, S, S, (v, e) => SimdFloat.ToInteger(S, v, 32, true, e), env));
        Add(table, Mnemonic.Cvtdq2pd, static (d, s, env, _, _) => Map(d, s, 2, D, S, (v, e) => SimdFloat.FromInteger(D, (int)v, e), env));
        Add(table, Mnemonic.Cvtpd2dq, static (d, s, env, _, _) => MapClearHigh(d, s, 2, S, D, (v, e) => SimdFloat.ToInteger(D, v, 32, false, e), env));
        Add(table, Mnemonic.Cvttpd2dq, static (d, s, env, _, _) => MapClearHigh(d, s, 2, S, D, (v, e) => SimdFloat.ToInteger(D, v, 32, true, e), env));
        Add(table, Mnemonic.Cvtpi2ps, static (d, s, env, _, _) => Map(d, s, 2, S, S, (v, e) => SimdFloat.FromInteger(S, (int)v, e), env));
        Add(table, Mnemonic.Cvtps2pi, static (d, s, env, _, _) => Map(d, s, 2, S, S, (v, e) => SimdFloat.ToInteger(S, v, 32, false, e), env));
        Add(table, Mnemonic.Cvttps2pi, static (d, s, env, _, _) => Map(d, s, 2, S, S, (v, e) => SimdFloat.ToInteger(S, v, 32, true, e), env));
        Add(table, Mnemonic.Cvtpi2pd, static (d, s, env, _, _) => Map(d, s, 2, D, S, (v, e) => SimdFloat.FromInteger(D, (int)v, e), env));
        Add(table, Mnemonic.Cvtpd2pi, static (d, s, env, _, _) => Map(d, s, 2, S, D, (v, e) => SimdFloat.ToInteger(D, v, 32, false, e), env));
        Add(table, Mnemonic.Cvttpd2pi, static (d, s, env, _, _) => Map(d, s, 2, S, D, (v, e) => SimdFloat.ToInteger(D, v, 32, true, e), env));
    }

    private static void Add(DispatchTable table, Mnemonic mnemonic, Conversion conversion) =>
        table.Add(mnemonic, (ExecutionContext cpu, in Instruction instruction) =>
        {
            int destinationBits = 8 * ExecutionContext.OperandSize(instruction, 0);
            int sourceBits = 8 * ExecutionContext.OperandSize(instruction, 1);
            return SimdFloatHandler.Run(cpu, instruction, (d, s, env) => conversion(d, s, env, destinationBits, sourceBits));
        }, registers: Registers);

    private static ulong Get(ReadOnlySpan<byte> bytes, SimdFloatFormat f, int index) => SimdFloatHandler.Get(bytes, f, index);

    private static void Set(Span<byte> bytes, SimdFloatFormat f, int index, ulong value) => SimdFloatHandler.Set(bytes, f, index, value);

    private static long SignedInteger(ReadOnlySpan<byte> source, int bits) =>
        bits == 64 ? (long)SimdFloatHandler.Get(source, D, 0) : (int)SimdFloatHandler.Get(source, S, 0);

    /// <summary>A general-register destination: the whole low quadword (a 32-bit write zero-extends in WriteRegister).</summary>
    private static void SetInteger(Span<byte> destination, ulong value) => SimdFloatHandler.Set(destination, D, 0, value);

    /// <summary>Converts <paramref name="count"/> elements of size <paramref name="from"/> into elements of size <paramref name="to"/>, keeping the rest of the destination.</summary>
    private static void Map(Span<byte> destination, ReadOnlySpan<byte> source, int count, SimdFloatFormat to, SimdFloatFormat from, Func<ulong, SimdFloatEnvironment, ulong> convert, SimdFloatEnvironment env)
    {
        Span<ulong> results = stackalloc ulong[4];
        for (int i = 0; i < count; i++)
        {
            results[i] = convert(Get(source, from, i), env);
        }

        for (int i = 0; i < count; i++)
        {
            Set(destination, to, i, results[i]);
        }
    }

    private static void MapClearHigh(Span<byte> destination, ReadOnlySpan<byte> source, int count, SimdFloatFormat to, SimdFloatFormat from, Func<ulong, SimdFloatEnvironment, ulong> convert, SimdFloatEnvironment env)
    {
        Map(destination, source, count, to, from, convert, env);
        destination[8..16].Clear();
    }
}
