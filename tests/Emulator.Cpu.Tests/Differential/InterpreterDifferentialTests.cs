using System.Collections.Frozen;
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

    private const string GapReason =
        "interpreter gap: SHLD/SHRD (every form) and LAHF/SAHF raise #UD (vector 6) at the instruction; remove them from KnownMismatches once implemented";

    /// <summary>Forms where the interpreter disagrees with the host today: visible as skipped tests, not hidden.</summary>
    private static readonly FrozenSet<Code> KnownMismatches =
        InstructionForms.Of([Mnemonic.Shld, Mnemonic.Shrd, Mnemonic.Lahf, Mnemonic.Sahf]).ToFrozenSet();

    private readonly NativeRunner _native = new();
    private readonly InterpreterRunner _interpreter = new();

    public static TheoryData<Code> Forms => [.. Checked];

    public static TheoryData<Code> MismatchedForms => [.. KnownMismatches.Order()];

    private static IEnumerable<Code> Checked => InstructionForms.Of(InstructionForms.Everything).Where(code => !KnownMismatches.Contains(code));

    public void Dispose()
    {
        _native.Dispose();
        _interpreter.Dispose();
    }

    [Theory]
    [MemberData(nameof(Forms))]
    public void MatchesHost(Code code) => Check(code.ToString(), new SnippetGenerator(seed: (int)code).Generate(code, CasesPerForm));

    [Theory(Skip = GapReason)]
    [MemberData(nameof(MismatchedForms))]
    public void MatchesHostOnceImplemented(Code code) => Check(code.ToString(), new SnippetGenerator(seed: (int)code).Generate(code, CasesPerForm));

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
        var generator = new SequenceGenerator(seed: 77, exclude: KnownMismatches);
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
