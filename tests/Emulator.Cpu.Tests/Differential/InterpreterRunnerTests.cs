using Iced.Intel;

namespace Emulator.Cpu.Tests.Differential;

/// <summary>The interpreter side of the harness on its own: state in, state out, and a failed run reported, not thrown.</summary>
public sealed class InterpreterRunnerTests : IDisposable
{
    private readonly InterpreterRunner _runner = new();

    public void Dispose() => _runner.Dispose();

    [Fact]
    public void RunsTheSnippetOnTheGivenState()
    {
        var input = new RegisterSnapshot { Rflags = RflagsBits.Fixed1 };
        input[GeneralRegister.Rax] = ulong.MaxValue;
        input[GeneralRegister.Rbx] = 1;
        byte[] memory = new byte[DifferentialCase.MemorySize];
        memory[8] = 0x05;

        // add rax,rbx ; add [r15+8],bl
        var testCase = new DifferentialCase("test", "add rax,rbx; add [r15+8],bl", [0x48, 0x01, 0xD8, 0x41, 0x00, 0x5F, 0x08], input, memory, FlagDefinitions.All, 0);
        ExecutionResult result = _runner.Run(testCase);

        Assert.Null(result.Failure);
        Assert.Equal(0UL, result.Registers[GeneralRegister.Rax]);
        Assert.Equal(0x06, result.Memory[8]);
        Assert.Equal(input[DifferentialCase.MemoryBase], result.Registers[DifferentialCase.MemoryBase]);
    }

    [Fact]
    public void AFaultIsReportedAsAFailure()
    {
        var testCase = new DifferentialCase("test", "ud2", [0x0F, 0x0B], new RegisterSnapshot(), new byte[DifferentialCase.MemorySize], FlagDefinitions.All, 0);

        ExecutionResult result = _runner.Run(testCase);

        Assert.NotNull(result.Failure);
        Assert.Contains("Vector = 6", result.Failure, StringComparison.Ordinal);
    }
}
