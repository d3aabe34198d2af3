using Emulator.Cpu.Tests.Vector;
using Emulator.Cpu.Tests.X87;
using Iced.Intel;

namespace Emulator.Cpu.Tests.Differential;

/// <summary>
/// Every <see cref="Code"/> some host-differential suite runs natively and interpreted: the integer forms, the
/// string forms, the stack and control-flow forms, the vector forms and the x87 forms (read back from the bytes
/// their emitters assemble, so the list cannot drift from what the suites run).
/// </summary>
public static class DifferentialCoverage
{
    public static IReadOnlySet<Code> Covered()
    {
        var covered = new HashSet<Code>(InstructionForms.Of(InstructionForms.Everything));
        covered.UnionWith(StringCaseGenerator.Forms);
        covered.UnionWith(StackCaseGenerator.Forms);
        covered.UnionWith(VectorForms.All());
        foreach (X87Form form in X87Forms.All)
        {
            covered.UnionWith(Assembled(form.Emit));
        }

        // Every x87 snippet loads its input with FRSTOR and stores its output with FNSAVE (m108): both are compared.
        covered.UnionWith(Decoded(X87Snippet.Build(_ => { })));
        foreach (string name in X87TranscendentalTests.Forms())
        {
            covered.UnionWith(Assembled(X87TranscendentalTests.Emit(name)));
        }

        return covered;
    }

    private static IEnumerable<Code> Assembled(Action<Assembler> emit)
    {
        var assembler = new Assembler(64);
        emit(assembler);
        using var stream = new MemoryStream();
        assembler.Assemble(new StreamCodeWriter(stream), 0);
        return Decoded(stream.ToArray());
    }

    private static List<Code> Decoded(byte[] bytes)
    {
        var decoder = Decoder.Create(64, bytes);
        var codes = new List<Code>();
        while (decoder.IP < (ulong)bytes.Length)
        {
            Code code = decoder.Decode().Code;

            // WAIT + FNxxx is the waiting form FXxx (Iced decodes the two apart, and so does the interpreter).
            if (codes.Count > 0 && codes[^1] == Code.Wait && code.ToString().StartsWith("Fn", StringComparison.Ordinal)
                && Enum.TryParse("F" + code.ToString()[2..], out Code waiting))
            {
                codes.Add(waiting);
            }

            codes.Add(code);
        }

        return codes;
    }
}
