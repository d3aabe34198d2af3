using Iced.Intel;

namespace Emulator.Cpu.Tests.Vector;

/// <summary>The legacy-encoded 64-bit-mode forms the vector handlers claim, read from the interpreter's dispatch table.</summary>
public static class VectorForms
{
    private static readonly Mnemonic[] WithoutVectorRegisters =
    [
        Mnemonic.Movnti, Mnemonic.Ldmxcsr, Mnemonic.Stmxcsr, Mnemonic.Emms, Mnemonic.Fxsave, Mnemonic.Fxsave64,
        Mnemonic.Fxrstor, Mnemonic.Fxrstor64, Mnemonic.Prefetchnta, Mnemonic.Prefetcht0, Mnemonic.Prefetcht1,
        Mnemonic.Prefetcht2, Mnemonic.Prefetchw,
    ];

    public static IEnumerable<Code> All()
    {
        var table = new DispatchTable();
        foreach (Code code in Enum.GetValues<Code>())
        {
            OpCodeInfo info = code.ToOpCode();
            if (table[code] is null || info.Encoding != EncodingKind.Legacy || !info.Mode64)
            {
                continue;
            }

            if ((table.RegistersOf(code) & (OperandRegisters.Mmx | OperandRegisters.Xmm)) != 0
                || WithoutVectorRegisters.Contains(code.Mnemonic()))
            {
                yield return code;
            }
        }
    }
}
