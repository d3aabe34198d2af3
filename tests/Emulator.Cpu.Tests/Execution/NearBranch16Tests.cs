using Iced.Intel;

namespace Emulator.Cpu.Tests.Execution;

/// <summary>
/// 66h near branches in 64-bit mode, which the host differential cannot pin down (this host is AMD, which honours the
/// prefix and truncates RIP to 16 bits, a target never mapped in a user process). The interpreter decodes with Iced's
/// default (Intel) rules: the prefix is ignored, displacements stay 32-bit and return addresses 64-bit, so Iced's
/// 16-bit near-branch codes never reach it. Pinned here so a change of decoder mode is a visible decision.
/// </summary>
public sealed class NearBranch16Tests
{
    [Fact]
    public void CallWithOperandSizePrefixIsCallRel32()
    {
        using var m = new TestMachine();
        m[GeneralRegister.Rsp] = TestMachine.StackTop;
        byte[] code = [0x66, 0xE8, 0xF9, 0x00, 0x00, 0x00];
        Assert.Equal(Code.Call_rel32_64, Decoder.Create(64, code).Decode().Code);
        m.Memory.Write(TestMachine.CodeBase + 0xFF, [0xF4]);
        Assert.Equal(ExitReason.Halted, m.Run(a => a.db(code)));
        Assert.Equal(TestMachine.CodeBase + 0x100, m.State.Rip);
        Assert.Equal(TestMachine.StackTop - 8, m[GeneralRegister.Rsp]);
        byte[] pushed = new byte[8];
        m.Memory.Read(TestMachine.StackTop - 8, pushed);
        Assert.Equal(TestMachine.CodeBase + 6, BitConverter.ToUInt64(pushed));
    }

    [Fact]
    public void RetWithOperandSizePrefixPopsAQword()
    {
        using var m = new TestMachine();
        m[GeneralRegister.Rsp] = TestMachine.StackTop - 8;
        m.Memory.Write(TestMachine.StackTop - 8, BitConverter.GetBytes(0x1200UL));
        m.Memory.Write(0x1200, [0xF4]);
        Assert.Equal(ExitReason.Halted, m.Run(a => a.db(0x66, 0xC3)));
        Assert.Equal(0x1201UL, m.State.Rip);
        Assert.Equal(TestMachine.StackTop, m[GeneralRegister.Rsp]);
    }

    [Fact]
    public void JumpWithOperandSizePrefixKeepsAllRipBits()
    {
        using var m = new TestMachine();
        byte[] code = [0x66, 0xEB, 0x02, 0xF4, 0xF4];
        Assert.Equal(Code.Jmp_rel8_64, Decoder.Create(64, code).Decode().Code);
        Assert.Equal(ExitReason.Halted, m.Run(a => a.db(code)));
        Assert.Equal(TestMachine.CodeBase + 6, m.State.Rip);
    }
}
