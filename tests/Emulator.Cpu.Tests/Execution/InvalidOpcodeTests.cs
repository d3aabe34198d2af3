using Iced.Intel;

namespace Emulator.Cpu.Tests.Execution;

/// <summary>The architecturally invalid opcodes raise #UD with RIP at the instruction (they cannot run natively in a test: SIGILL).</summary>
public sealed class InvalidOpcodeTests
{
    public static TheoryData<string> Encodings => ["0FFF", "0FFFC0", "0FB9C1", "480FB9C1", "660FB9C1", "0F0B"];

    [Theory]
    [MemberData(nameof(Encodings))]
    public void RaisesInvalidOpcode(string hex)
    {
        byte[] bytes = Convert.FromHexString(hex);
        using var m = new TestMachine();
        Assert.Equal(ExitReason.Exception, m.Run(a => a.db(bytes)));
        Assert.Equal(ExceptionVector.InvalidOpcode, m.Interpreter.LastFault.Vector);
        Assert.Equal(TestMachine.CodeBase, m.State.Rip);
    }

    [Fact]
    public void UsesIcedsDecoding()
    {
        Assert.Equal(Code.Ud1_r32_rm32, Decoder.Create(64, Convert.FromHexString("0FB9C1")).Decode().Code);
    }
}
