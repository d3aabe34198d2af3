namespace Emulator.Cpu.Tests.Differential;

public sealed class StateComparerTests
{
    [Fact]
    public void IdenticalRunsMatch()
    {
        DifferentialCase testCase = Case(FlagDefinitions.All);
        ExecutionResult run = Result(testCase.Input.Clone(), new byte[DifferentialCase.MemorySize]);

        Comparison comparison = StateComparer.Compare(testCase, run, Result(testCase.Input.Clone(), new byte[DifferentialCase.MemorySize]));

        Assert.True(comparison.Matches);
        Assert.Equal(0UL, comparison.UndefinedFlagDifferences);
    }

    [Fact]
    public void RegisterDifferenceIsNamedWithBothValues()
    {
        DifferentialCase testCase = Case(FlagDefinitions.All);
        RegisterSnapshot actual = testCase.Input.Clone();
        actual[GeneralRegister.R9] = 0xdead;

        Comparison comparison = StateComparer.Compare(testCase, Result(testCase.Input.Clone(), new byte[DifferentialCase.MemorySize]), Result(actual, new byte[DifferentialCase.MemorySize]));

        Assert.False(comparison.Matches);
        Assert.Contains("R9: expected 0909090909090909 got 000000000000dead", comparison.Message, StringComparison.Ordinal);
        Assert.Contains("add rax,rbx", comparison.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UndefinedFlagsAreCountedNotFailed()
    {
        DifferentialCase testCase = Case(FlagDefinitions.All & ~RflagsBits.AF);
        RegisterSnapshot actual = testCase.Input.Clone();
        actual.Rflags ^= RflagsBits.AF;

        Comparison comparison = StateComparer.Compare(testCase, Result(testCase.Input.Clone(), new byte[DifferentialCase.MemorySize]), Result(actual, new byte[DifferentialCase.MemorySize]));

        Assert.True(comparison.Matches);
        Assert.Equal(RflagsBits.AF, comparison.UndefinedFlagDifferences);
    }

    [Fact]
    public void DefinedFlagDifferenceNamesTheBits()
    {
        DifferentialCase testCase = Case(FlagDefinitions.All);
        RegisterSnapshot actual = testCase.Input.Clone();
        actual.Rflags ^= RflagsBits.OF | RflagsBits.CF;

        Comparison comparison = StateComparer.Compare(testCase, Result(testCase.Input.Clone(), new byte[DifferentialCase.MemorySize]), Result(actual, new byte[DifferentialCase.MemorySize]));

        Assert.False(comparison.Matches);
        Assert.Contains("differing CF OF", comparison.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SkippedRegistersAndMemoryDifferencesAreHandled()
    {
        DifferentialCase testCase = Case(FlagDefinitions.All) with { UndefinedRegisters = 1 << (int)GeneralRegister.Rdx };
        RegisterSnapshot actual = testCase.Input.Clone();
        actual[GeneralRegister.Rdx] = 1;
        actual[GeneralRegister.Rsp] = 2;
        actual[DifferentialCase.MemoryBase] = 3;
        byte[] memory = new byte[DifferentialCase.MemorySize];
        memory[0x42] = 0x99;

        Comparison comparison = StateComparer.Compare(testCase, Result(testCase.Input.Clone(), new byte[DifferentialCase.MemorySize]), Result(actual, memory));

        Assert.False(comparison.Matches);
        Assert.Contains("memory[+0x42]: expected 00 got 99", comparison.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Rdx:", comparison.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Rsp:", comparison.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("R15:", comparison.Message, StringComparison.Ordinal);
    }

    private static DifferentialCase Case(ulong definedFlags)
    {
        var input = new RegisterSnapshot();
        for (int i = 0; i < GprFile.Count; i++)
        {
            input.Gpr[i] = 0x0101_0101_0101_0101UL * (ulong)i;
        }

        return new DifferentialCase("Add_rm64_r64", "add rax,rbx", [0x48, 0x01, 0xD8], input, new byte[DifferentialCase.MemorySize], definedFlags, 0);
    }

    private static ExecutionResult Result(RegisterSnapshot registers, byte[] memory) => new(registers, memory);
}
