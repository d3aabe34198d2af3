using Emulator.Tests.Shared;
using Iced.Intel;

namespace Emulator.Cpu.Tests.Differential;

/// <summary>
/// The stack, branch and absolute-address forms (<see cref="StackCaseGenerator"/>) against the host: the interpreter
/// mirrors the native runner's addresses, so pushed return addresses and frame pointers compare byte for byte.
/// </summary>
public sealed class StackDifferentialTests : IDisposable
{
    private const int CasesPerForm = 1_000;

    private readonly NativeRunner _native = new();
    private readonly InterpreterRunner _interpreter;

    public StackDifferentialTests()
    {
        _interpreter = new InterpreterRunner(_native);
    }

    public static TheoryData<Code> Forms => [.. StackCaseGenerator.Forms];

    public void Dispose()
    {
        _native.Dispose();
        _interpreter.Dispose();
    }

    [Theory]
    [MemberData(nameof(Forms))]
    public void MatchesHost(Code code)
    {
        var generator = new StackCaseGenerator((int)code, _native.ScratchAddress);
        var failures = new List<string>();
        int total = FuzzBudget.Iterations(CasesPerForm);
        for (int i = 0; i < total && failures.Count < 3; i++)
        {
            DifferentialCase testCase = generator.Next(code);
            Comparison comparison = StateComparer.Compare(testCase, _native.Run(testCase), _interpreter.Run(testCase));
            if (!comparison.Matches)
            {
                failures.Add(comparison.Message);
            }
        }

        Assert.True(failures.Count == 0, $"{code}: interpreter differs from the host{Environment.NewLine}{string.Join(Environment.NewLine, failures)}");
    }

    [Theory]
    [MemberData(nameof(Forms))]
    public void EverySnippetHoldsItsForm(Code code)
    {
        var generator = new StackCaseGenerator((int)code + 1, _native.ScratchAddress);
        for (int i = 0; i < 50; i++)
        {
            DifferentialCase testCase = generator.Next(code);
            Assert.Contains(code, StackCaseGenerator.Decoded(testCase.Code));
        }
    }
}
