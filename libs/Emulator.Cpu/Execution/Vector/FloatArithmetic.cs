using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// SSE/SSE2/SSE3 floating-point arithmetic (SDM vol. 2 per mnemonic): ADD/SUB/MUL/DIV/SQRT/MIN/MAX in PS/SS/PD/SD
/// forms, CMPccPS/SS/PD/SD, ADDSUBPS/PD and HADD/HSUB PS/PD. Scalar forms keep the destination's upper elements.
/// </summary>
public static class FloatArithmetic
{
    private const OperandRegisters Xmm = OperandRegisters.Xmm;

    public static void AddTo(DispatchTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        AddFamily(table, [Mnemonic.Addps, Mnemonic.Addss, Mnemonic.Addpd, Mnemonic.Addsd], static (f, a, b, env) => SoftFloat.Add(f, a, b, env));
        AddFamily(table, [Mnemonic.Subps, Mnemonic.Subss, Mnemonic.Subpd, Mnemonic.Subsd], static (f, a, b, env) => SoftFloat.Add(f, a, b, env, subtract: true));
        AddFamily(table, [Mnemonic.Mulps, Mnemonic.Mulss, Mnemonic.Mulpd, Mnemonic.Mulsd], SoftFloat.Multiply);
        AddFamily(table, [Mnemonic.Divps, Mnemonic.Divss, Mnemonic.Divpd, Mnemonic.Divsd], SoftFloat.Divide);
        AddFamily(table, [Mnemonic.Sqrtps, Mnemonic.Sqrtss, Mnemonic.Sqrtpd, Mnemonic.Sqrtsd], static (f, a, b, env) => SoftFloat.SquareRoot(f, b, env));
        AddFamily(table, [Mnemonic.Minps, Mnemonic.Minss, Mnemonic.Minpd, Mnemonic.Minsd], static (f, a, b, env) => MinMax(f, a, b, env, max: false));
        AddFamily(table, [Mnemonic.Maxps, Mnemonic.Maxss, Mnemonic.Maxpd, Mnemonic.Maxsd], static (f, a, b, env) => MinMax(f, a, b, env, max: true));

        table.Add(Mnemonic.Cmpps, Compare(FloatFormat.Single, false), registers: Xmm);
        table.Add(Mnemonic.Cmpss, Compare(FloatFormat.Single, true), registers: Xmm);
        table.Add(Mnemonic.Cmppd, Compare(FloatFormat.Double, false), registers: Xmm);
        table.Add(Code.Cmpsd_xmm_xmmm64_imm8, Compare(FloatFormat.Double, true), Xmm);

        table.Add(Mnemonic.Addsubps, Pairwise(FloatFormat.Single, AddSubtract), registers: Xmm);
        table.Add(Mnemonic.Addsubpd, Pairwise(FloatFormat.Double, AddSubtract), registers: Xmm);
        table.Add(Mnemonic.Haddps, Pairwise(FloatFormat.Single, Horizontal(false)), registers: Xmm);
        table.Add(Mnemonic.Haddpd, Pairwise(FloatFormat.Double, Horizontal(false)), registers: Xmm);
        table.Add(Mnemonic.Hsubps, Pairwise(FloatFormat.Single, Horizontal(true)), registers: Xmm);
        table.Add(Mnemonic.Hsubpd, Pairwise(FloatFormat.Double, Horizontal(true)), registers: Xmm);
    }

    /// <summary>Registers [PS, SS, PD, SD] of one operation.</summary>
    private static void AddFamily(DispatchTable table, Mnemonic[] forms, FloatHandler.ElementOperation operation)
    {
        table.Add(forms[0], FloatHandler.Elementwise(FloatFormat.Single, false, operation), registers: Xmm);
        table.Add(forms[1], FloatHandler.Elementwise(FloatFormat.Single, true, operation), registers: Xmm);
        table.Add(forms[2], FloatHandler.Elementwise(FloatFormat.Double, false, operation), registers: Xmm);
        table.Add(forms[3], FloatHandler.Elementwise(FloatFormat.Double, true, operation), registers: Xmm);
    }

    /// <summary>MIN/MAX: any NaN (IE even for a QNaN) or equal values (±0) give the second operand as it is.</summary>
    private static ulong MinMax(FloatFormat f, ulong a, ulong b, FloatEnvironment env, bool max)
    {
        if (f.IsNaN(a) || f.IsNaN(b))
        {
            env.Raise(MxcsrBits.Invalid);
            return SoftFloat.Flush(f, b, env);
        }

        ulong x = SoftFloat.Input(f, a, env);
        ulong y = SoftFloat.Input(f, b, env);

        int? order = SoftFloat.Compare(f, x, y, false, env);
        bool first = max ? order > 0 : order < 0;
        return first ? x : y;
    }

    private static InstructionHandler Compare(FloatFormat f, bool scalar) =>
        (ExecutionContext cpu, in Instruction instruction) =>
        {
            int predicate = (int)(instruction.GetImmediate(2) & 7);
            return FloatHandler.Run(cpu, instruction, (d, s, env) =>
            {
                int count = scalar ? 1 : 16 / f.Size;
                for (int i = 0; i < count; i++)
                {
                    // LT, LE, NLT, NLE signal on a QNaN too; EQ, UNORD, NEQ, ORD only on an SNaN.
                    bool signaling = predicate is 1 or 2 or 5 or 6;
                    int? order = SoftFloat.Compare(f, FloatHandler.Get(d, f, i), FloatHandler.Get(s, f, i), signaling, env);
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
                    FloatHandler.Set(d, f, i, result ? f.Mask : 0);
                }
            });
        };

    private delegate void PairOperation(FloatFormat f, Span<byte> destination, ReadOnlySpan<byte> original, ReadOnlySpan<byte> source, FloatEnvironment env);

    private static InstructionHandler Pairwise(FloatFormat f, PairOperation operation) =>
        (ExecutionContext cpu, in Instruction instruction) => FloatHandler.Run(cpu, instruction, (d, s, env) =>
        {
            Span<byte> original = stackalloc byte[16];
            d.CopyTo(original);
            operation(f, d, original, s, env);
        });

    private static void AddSubtract(FloatFormat f, Span<byte> d, ReadOnlySpan<byte> original, ReadOnlySpan<byte> s, FloatEnvironment env)
    {
        for (int i = 0; i < 16 / f.Size; i++)
        {
            FloatHandler.Set(d, f, i, SoftFloat.Add(f, FloatHandler.Get(original, f, i), FloatHandler.Get(s, f, i), env, subtract: (i & 1) == 0));
        }
    }

    private static PairOperation Horizontal(bool subtract) => (f, d, original, s, env) =>
    {
        int half = 8 / f.Size;
        for (int i = 0; i < half; i++)
        {
            FloatHandler.Set(d, f, i, SoftFloat.Add(f, FloatHandler.Get(original, f, 2 * i), FloatHandler.Get(original, f, (2 * i) + 1), env, subtract));
            FloatHandler.Set(d, f, half + i, SoftFloat.Add(f, FloatHandler.Get(s, f, 2 * i), FloatHandler.Get(s, f, (2 * i) + 1), env, subtract));
        }
    };
}
