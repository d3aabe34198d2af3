using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// SSE/SSE2/SSE3 floating-point arithmetic (SDM vol. 2 per mnemonic): ADD/SUB/MUL/DIV/SQRT/MIN/MAX in PS/SS/PD/SD
/// forms, CMPccPS/SS/PD/SD, ADDSUBPS/PD and HADD/HSUB PS/PD. Scalar forms keep the destination's upper elements.
/// </summary>
public static class SimdFloatArithmetic
{
    private const OperandRegisters Xmm = OperandRegisters.Xmm;

    public static void AddTo(DispatchTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        AddFamily(table, [Mnemonic.Addps, Mnemonic.Addss, Mnemonic.Addpd, Mnemonic.Addsd], static (f, a, b, env) => SimdFloat.Add(f, a, b, env));
        AddFamily(table, [Mnemonic.Subps, Mnemonic.Subss, Mnemonic.Subpd, Mnemonic.Subsd], static (f, a, b, env) => SimdFloat.Add(f, a, b, env, subtract: true));
        AddFamily(table, [Mnemonic.Mulps, Mnemonic.Mulss, Mnemonic.Mulpd, Mnemonic.Mulsd], SimdFloat.Multiply);
        AddFamily(table, [Mnemonic.Divps, Mnemonic.Divss, Mnemonic.Divpd, Mnemonic.Divsd], SimdFloat.Divide);
        AddFamily(table, [Mnemonic.Sqrtps, Mnemonic.Sqrtss, Mnemonic.Sqrtpd, Mnemonic.Sqrtsd], static (f, a, b, env) => SimdFloat.SquareRoot(f, b, env));
        AddFamily(table, [Mnemonic.Minps, Mnemonic.Minss, Mnemonic.Minpd, Mnemonic.Minsd], static (f, a, b, env) => MinMax(f, a, b, env, max: false));
        AddFamily(table, [Mnemonic.Maxps, Mnemonic.Maxss, Mnemonic.Maxpd, Mnemonic.Maxsd], static (f, a, b, env) => MinMax(f, a, b, env, max: true));

        table.Add(Mnemonic.Cmpps, Compare(SimdFloatFormat.Single, false), registers: Xmm);
        table.Add(Mnemonic.Cmpss, Compare(SimdFloatFormat.Single, true), registers: Xmm);
        table.Add(Mnemonic.Cmppd, Compare(SimdFloatFormat.Double, false), registers: Xmm);
        table.Add(Code.Cmpsd_xmm_xmmm64_imm8, Compare(SimdFloatFormat.Double, true), Xmm);

        table.Add(Mnemonic.Addsubps, Pairwise(SimdFloatFormat.Single, AddSubtract), registers: Xmm);
        table.Add(Mnemonic.Addsubpd, Pairwise(SimdFloatFormat.Double, AddSubtract), registers: Xmm);
        table.Add(Mnemonic.Haddps, Pairwise(SimdFloatFormat.Single, Horizontal(false)), registers: Xmm);
        table.Add(Mnemonic.Haddpd, Pairwise(SimdFloatFormat.Double, Horizontal(false)), registers: Xmm);
        table.Add(Mnemonic.Hsubps, Pairwise(SimdFloatFormat.Single, Horizontal(true)), registers: Xmm);
        table.Add(Mnemonic.Hsubpd, Pairwise(SimdFloatFormat.Double, Horizontal(true)), registers: Xmm);
    }

    /// <summary>Registers [PS, SS, PD, SD] of one operation.</summary>
    private static void AddFamily(DispatchTable table, Mnemonic[] forms, SimdFloatHandler.ElementOperation operation)
    {
        table.Add(forms[0], SimdFloatHandler.Elementwise(SimdFloatFormat.Single, false, operation), registers: Xmm);
        table.Add(forms[1], SimdFloatHandler.Elementwise(SimdFloatFormat.Single, true, operation), registers: Xmm);
        table.Add(forms[2], SimdFloatHandler.Elementwise(SimdFloatFormat.Double, false, operation), registers: Xmm);
        table.Add(forms[3], SimdFloatHandler.Elementwise(SimdFloatFormat.Double, true, operation), registers: Xmm);
    }

    /// <summary>MIN/MAX: any NaN (IE even for a QNaN) or equal values (±0) give the second operand as it is.</summary>
    private static ulong MinMax(SimdFloatFormat f, ulong a, ulong b, SimdFloatEnvironment env, bool max)
    {
        if (f.IsNaN(a) || f.IsNaN(b))
        {
            env.Raise(MxcsrBits.Invalid);
            return SimdFloat.Flush(f, b, env);
        }

        ulong x = SimdFloat.Input(f, a, env);
        ulong y = SimdFloat.Input(f, b, env);

        int? order = SimdFloat.Compare(f, x, y, false, env);
        bool first = max ? order > 0 : order < 0;
        return first ? x : y;
    }

    private static InstructionHandler Compare(SimdFloatFormat f, bool scalar) =>
        (ExecutionContext cpu, in Instruction instruction) =>
        {
            int predicate = (int)(instruction.GetImmediate(2) & 7);
            return SimdFloatHandler.Run(cpu, instruction, (d, s, env) =>
            {
                int count = scalar ? 1 : 16 / f.Size;
                for (int i = 0; i < count; i++)
                {
                    // LT, LE, NLT, NLE signal on a QNaN too; EQ, UNORD, NEQ, ORD only on an SNaN.
                    bool signaling = predicate is 1 or 2 or 5 or 6;
                    int? order = SimdFloat.Compare(f, SimdFloatHandler.Get(d, f, i), SimdFloatHandler.Get(s, f, i), signaling, env);
                    bool result = predicate switch
                    {
                        0 => order == 0,
                        1 => order < 0,
                        2 => order <= 0,
                        3 => order is null,
                        4 => order != 0,
                        5 => !(order < 0),
                        6 => !(order <= 0),
                        _ => order is not null,
                    };
                    SimdFloatHandler.Set(d, f, i, result ? f.Mask : 0);
                }
            });
        };

    private delegate void PairOperation(SimdFloatFormat f, Span<byte> destination, ReadOnlySpan<byte> original, ReadOnlySpan<byte> source, SimdFloatEnvironment env);

    private static InstructionHandler Pairwise(SimdFloatFormat f, PairOperation operation) =>
        (ExecutionContext cpu, in Instruction instruction) => SimdFloatHandler.Run(cpu, instruction, (d, s, env) =>
        {
            Span<byte> original = stackalloc byte[16];
            d.CopyTo(original);
            operation(f, d, original, s, env);
        });

    private static void AddSubtract(SimdFloatFormat f, Span<byte> d, ReadOnlySpan<byte> original, ReadOnlySpan<byte> s, SimdFloatEnvironment env)
    {
        for (int i = 0; i < 16 / f.Size; i++)
        {
            SimdFloatHandler.Set(d, f, i, SimdFloat.Add(f, SimdFloatHandler.Get(original, f, i), SimdFloatHandler.Get(s, f, i), env, subtract: (i & 1) == 0));
        }
    }

    private static PairOperation Horizontal(bool subtract) => (f, d, original, s, env) =>
    {
        int half = 8 / f.Size;
        for (int i = 0; i < half; i++)
        {
            SimdFloatHandler.Set(d, f, i, SimdFloat.Add(f, SimdFloatHandler.Get(original, f, 2 * i), SimdFloatHandler.Get(original, f, (2 * i) + 1), env, subtract));
            SimdFloatHandler.Set(d, f, half + i, SimdFloat.Add(f, SimdFloatHandler.Get(s, f, 2 * i), SimdFloatHandler.Get(s, f, (2 * i) + 1), env, subtract));
        }
    };
}
