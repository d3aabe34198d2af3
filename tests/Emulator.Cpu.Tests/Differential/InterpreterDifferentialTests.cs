using Iced.Intel;
using Emulator.Tests.Shared;
using Xunit.Abstractions;

namespace Emulator.Cpu.Tests.Differential;

/// <summary>
/// The interpreter against the host CPU, one test per instruction form: the same generated cases run natively and
/// interpreted must agree on every GPR, every defined flag and the scratch memory.
/// </summary>
public sealed class InterpreterDifferentialTests(ITestOutputHelper output) : IDisposable
{
    /// <summary>Per form in the normal suite.</summary>
    private const int CasesPerForm = 1_000;

    private readonly NativeRunner _native = new();
    private readonly InterpreterRunner _interpreter = new();

    public static TheoryData<Code> Forms => [.. Checked];

    private static IEnumerable<Code> Checked => InstructionForms.Of(InstructionForms.Everything);

    public void Dispose()
    {
        _native.Dispose();
        _interpreter.Dispose();
    }

    [Theory]
    [MemberData(nameof(Forms))]
    public void MatchesHost(Code code) => Check(code.ToString(), new SnippetGenerator(seed: (int)code).Generate(code, CasesPerForm));

    public static TheoryData<Code> StringForms => [.. StringCaseGenerator.Forms];

    /// <summary>String instructions with and without REP/REPE/REPNE, both directions, small counts over the scratch buffer.</summary>
    [Theory]
    [MemberData(nameof(StringForms))]
    public void StringFormMatchesHost(Code code)
    {
        var generator = new StringCaseGenerator(seed: (int)code);
        Check(code.ToString(), Enumerable.Range(0, CasesPerForm / 4).Select(_ => generator.Next(code)));
    }

    /// <summary>A budget shared by every form in turn (millions under `make fuzz`), on a seed the per-form tests do not use.</summary>
    [Fact]
    [Trait("Category", FuzzBudget.Category)]
    public void MatchesHostOnManyRandomCases()
    {
        Code[] forms = [.. Checked];
        var generator = new SnippetGenerator(seed: 20_261_122);
        int total = FuzzBudget.Iterations(20_000);
        Check("all forms", Enumerable.Range(0, total).Select(i => generator.Next(forms[i % forms.Length])));
    }

    /// <summary>Chains of 2 to 6 instructions, where one result feeds the next.</summary>
    [Fact]
    [Trait("Category", FuzzBudget.Category)]
    public void SequencesMatchHost()
    {
        var generator = new SequenceGenerator(seed: 77);
        Check("sequences", Enumerable.Range(0, FuzzBudget.Iterations(3_000)).Select(_ => generator.Next(2, 6)));
    }

    private void Check(string forms, IEnumerable<DifferentialCase> cases)
    {
        var failures = new List<string>();
        int count = 0;
        int undefinedOnly = 0;
        foreach (DifferentialCase testCase in cases)
        {
            count++;
            Comparison comparison = StateComparer.Compare(testCase, _native.Run(testCase), _interpreter.Run(testCase));
            if (comparison.UndefinedFlagDifferences != 0)
            {
                undefinedOnly++;
            }

            if (!comparison.Matches)
            {
                failures.Add(comparison.Message);
                if (failures.Count == 3)
                {
                    break;
                }
            }
        }

        output.WriteLine($"{forms}: {count} cases, {undefinedOnly} differed in undefined flags (ignored)");
        Assert.True(failures.Count == 0, $"{forms}: interpreter differs from the host ({undefinedOnly} cases differed only in undefined flags){Environment.NewLine}{string.Join(Environment.NewLine, failures)}");
    }
}
