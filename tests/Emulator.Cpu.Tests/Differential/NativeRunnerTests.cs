using Iced.Intel;

namespace Emulator.Cpu.Tests.Differential;

/// <summary>The host side alone: known results and flags from the real CPU, and the trampoline's register and RFLAGS plumbing.</summary>
public sealed class NativeRunnerTests : IDisposable
{
    private readonly NativeRunner _runner = new();

    public void Dispose() => _runner.Dispose();

    [Fact]
    public void AddRaxRbxGivesTheSumAndItsFlags()
    {
        RegisterSnapshot input = Numbered();
        input[GeneralRegister.Rax] = ulong.MaxValue;
        input[GeneralRegister.Rbx] = 1;

        ExecutionResult result = _runner.Run(Case(Instruction.Create(Code.Add_rm64_r64, Register.RAX, Register.RBX), input));

        Assert.Equal(0UL, result.Registers[GeneralRegister.Rax]);
        Assert.Equal(1UL, result.Registers[GeneralRegister.Rbx]);
        ulong expected = RflagsBits.CF | RflagsBits.ZF | RflagsBits.PF | RflagsBits.AF | RflagsBits.Fixed1;
        Assert.Equal(expected, result.Registers.Rflags);
    }

    [Fact]
    public void SignedOverflowSetsOfAndSf()
    {
        RegisterSnapshot input = Numbered();
        input[GeneralRegister.Rcx] = 0x7FFF_FFFF;
        input[GeneralRegister.Rdx] = 1;

        ExecutionResult result = _runner.Run(Case(Instruction.Create(Code.Add_rm32_r32, Register.ECX, Register.EDX), input));

        Assert.Equal(0x8000_0000UL, result.Registers[GeneralRegister.Rcx]);
        ulong flags = result.Registers.Rflags;
        Assert.Equal(RflagsBits.OF | RflagsBits.SF | RflagsBits.AF | RflagsBits.PF, flags & (RflagsBits.OF | RflagsBits.SF | RflagsBits.AF | RflagsBits.PF | RflagsBits.CF | RflagsBits.ZF));
    }

    [Fact]
    public void EmptySnippetRoundTripsEveryRegisterAndStatusFlag()
    {
        var random = new Random(7);
        for (int round = 0; round < 64; round++)
        {
            RegisterSnapshot input = Numbered();
            for (int i = 0; i < GprFile.Count; i++)
            {
                input.Gpr[i] = (ulong)random.NextInt64();
            }

            input[GeneralRegister.Rsp] = 0;
            input[DifferentialCase.MemoryBase] = 0;
            input.Rflags = ((ulong)random.NextInt64() & RegisterSnapshot.StatusFlags) | RflagsBits.Fixed1;

            ExecutionResult result = _runner.Run(new DifferentialCase("empty", "(nothing)", [], input, new byte[DifferentialCase.MemorySize], FlagDefinitions.All, 0));

            Assert.Equal(input.Gpr, result.Registers.Gpr);
            Assert.Equal(input.Rflags, result.Registers.Rflags);
        }
    }

    [Fact]
    public void SnippetSeesTheScratchBufferThroughTheMemoryBase()
    {
        RegisterSnapshot input = Numbered();
        input[GeneralRegister.Rax] = 0x1122_3344_5566_7788;
        byte[] memory = new byte[DifferentialCase.MemorySize];
        memory[100] = 0x01;
        var xadd = Instruction.Create(Code.Xadd_rm64_r64, new MemoryOperand(Register.R15, Register.None, 1, 100, 1), Register.RAX);

        ExecutionResult result = _runner.Run(Case(xadd, input, memory));

        Assert.Equal(1UL, result.Registers[GeneralRegister.Rax]);
        Assert.Equal(0x1122_3344_5566_7789UL, BitConverter.ToUInt64(result.Memory, 100));
        Assert.Equal(0x01, memory[100]);
    }

    [Fact]
    public void DirectionFlagIsDeliveredAndReportedThenCleared()
    {
        RegisterSnapshot input = Numbered();
        input.Rflags = RflagsBits.DF | RflagsBits.Fixed1;

        ExecutionResult withDf = _runner.Run(Case(Instruction.Create(Code.Nopd), input));
        input.Rflags = RflagsBits.Fixed1;
        ExecutionResult withoutDf = _runner.Run(Case(Instruction.Create(Code.Nopd), input));

        Assert.Equal(RflagsBits.DF | RflagsBits.Fixed1, withDf.Registers.Rflags);
        Assert.Equal(RflagsBits.Fixed1, withoutDf.Registers.Rflags);
    }

    private static RegisterSnapshot Numbered()
    {
        var snapshot = new RegisterSnapshot();
        for (int i = 0; i < GprFile.Count; i++)
        {
            snapshot.Gpr[i] = 0x0101_0101_0101_0101UL * (ulong)i;
        }

        snapshot[GeneralRegister.Rsp] = 0;
        snapshot[DifferentialCase.MemoryBase] = 0;
        return snapshot;
    }

    private static DifferentialCase Case(Instruction instruction, RegisterSnapshot input, byte[]? memory = null)
    {
        using var stream = new MemoryStream();
        Encoder.Create(64, new StreamCodeWriter(stream)).Encode(instruction, 0);
        return new DifferentialCase(instruction.Code.ToString(), instruction.ToString(), stream.ToArray(), input, memory ?? new byte[DifferentialCase.MemorySize], FlagDefinitions.All, 0);
    }
}
