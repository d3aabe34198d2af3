using Iced.Intel;

namespace Emulator.Cpu.Tests.Execution;

/// <summary>
/// 66h near branches in 64-bit mode follow AMD, because CPUID says AuthenticAMD (QEMU's qemu64): the operand size is
/// 16 bits, so the displacement is 16-bit, the new IP is truncated to 16 bits (relative and indirect forms alike) and
/// CALL/RET push and pop a 2-byte return address (AMD APM vol. 3, "Near CALL"/"Near RET"/"Jcc"). Checked natively on
/// this AMD host with code mapped below 64 KiB: 66 EB from above 64 KiB lands truncated, 66 FF E0 jumps to AX and
/// 66 E8 pushes 2 bytes. Intel ignores the prefix. QEMU 7.2 agrees on the displacement and the 2-byte push/pop but
/// keeps the IP's high bits in 64-bit mode and ignores 66h on FF /2, /4; Emulator.System.Tests/Differential
/// (NearBranch16Tests there) compares the part it agrees on. Code is placed above 64 KiB so a lost truncation shows.
/// </summary>
public sealed class NearBranch16Tests
{
    private const ulong HighCode = 0x2_1000;

    [Fact]
    public void TheInterpreterDecodesTheOperandSizePrefixAsAmdDoes()
    {
        byte[] code = [0x66, 0xE8, 0xF9, 0x00];
        Assert.Equal(Code.Call_rel16, Decoder.Create(64, code, DecodedBlockCache.Decoding).Decode().Code);
    }

    [Fact]
    public void CallRel16PushesAWordAndTruncatesTheTarget()
    {
        using var m = new TestMachine();
        m[GeneralRegister.Rsp] = TestMachine.StackTop;
        m.Memory.Write(TestMachine.StackTop - 8, ulong.MaxValue);
        Assert.Equal(ExitReason.Halted, RunAt(m, [0x66, 0xE8, 0x00, 0x01], (0x1104, [0xF4])));
        Assert.Equal(0x1105UL, m.State.Rip);
        Assert.Equal(TestMachine.StackTop - 2, m[GeneralRegister.Rsp]);
        byte[] pushed = new byte[8];
        m.Memory.Read(TestMachine.StackTop - 8, pushed);
        Assert.Equal(0x1004_FFFF_FFFF_FFFFUL, BitConverter.ToUInt64(pushed));
    }

    [Fact]
    public void CallRel16DisplacementIsSixteenBitAndWraps()
    {
        using var m = new TestMachine();
        m[GeneralRegister.Rsp] = TestMachine.StackTop;

        // 0x1004 - 0x1100 wraps to 0xFF04 within the 64 KiB segment, not below zero.
        m.Memory.Write(0xFF04, [0xF4]);
        Assert.Equal(ExitReason.Halted, m.Run(a => a.db(0x66, 0xE8, 0x00, 0xEF)));
        Assert.Equal(0xFF05UL, m.State.Rip);
    }

    [Fact]
    public void RetPopsAWordAndZeroExtendsIt()
    {
        using var m = new TestMachine();
        m[GeneralRegister.Rsp] = TestMachine.StackTop - 8;
        m.Memory.Write(TestMachine.StackTop - 8, 0xFFFF_FFFF_FFFF_1200UL);
        m.Memory.Write(0x1200, [0xF4]);
        Assert.Equal(ExitReason.Halted, m.Run(a => a.db(0x66, 0xC3)));
        Assert.Equal(0x1201UL, m.State.Rip);
        Assert.Equal(TestMachine.StackTop - 6, m[GeneralRegister.Rsp]);
    }

    [Fact]
    public void RetImm16ReleasesTheWordAndTheImmediate()
    {
        using var m = new TestMachine();
        m[GeneralRegister.Rsp] = TestMachine.StackTop - 16;
        m.Memory.Write(TestMachine.StackTop - 16, 0x1200UL);
        m.Memory.Write(0x1200, [0xF4]);
        Assert.Equal(ExitReason.Halted, m.Run(a => a.db(0x66, 0xC2, 0x08, 0x00)));
        Assert.Equal(0x1201UL, m.State.Rip);
        Assert.Equal(TestMachine.StackTop - 6, m[GeneralRegister.Rsp]);
    }

    [Fact]
    public void JumpRel8TruncatesTheTarget()
    {
        using var m = new TestMachine();
        Assert.Equal(ExitReason.Halted, RunAt(m, [0x66, 0xEB, 0x02], (0x1005, [0xF4])));
        Assert.Equal(0x1006UL, m.State.Rip);
    }

    [Fact]
    public void TakenJccRel16TruncatesTheTargetAndNotTakenFallsThrough()
    {
        using var m = new TestMachine();
        m.State.Rflags |= (ulong)RflagsBits.ZF;
        Assert.Equal(ExitReason.Halted, RunAt(m, [0x66, 0x0F, 0x84, 0x10, 0x00], (0x1015, [0xF4])));
        Assert.Equal(0x1016UL, m.State.Rip);

        m.State.Rflags &= ~(ulong)RflagsBits.ZF;
        Assert.Equal(ExitReason.Halted, RunAt(m, [0x66, 0x0F, 0x84, 0x10, 0x00, 0xF4], (0x1015, [0xF4])));
        Assert.Equal(HighCode + 6, m.State.Rip);
    }

    [Fact]
    public void IndirectJumpAndCallReadAWord()
    {
        using var m = new TestMachine();
        m[GeneralRegister.Rsp] = TestMachine.StackTop;
        m[GeneralRegister.Rax] = 0xABCD_0000_0000_1200;
        Assert.Equal(ExitReason.Halted, RunAt(m, [0x66, 0xFF, 0xE0], (0x1200, [0xF4])));
        Assert.Equal(0x1201UL, m.State.Rip);

        Assert.Equal(ExitReason.Halted, RunAt(m, [0x66, 0xFF, 0xD0], (0x1200, [0xF4])));
        Assert.Equal(0x1201UL, m.State.Rip);
        Assert.Equal(TestMachine.StackTop - 2, m[GeneralRegister.Rsp]);
        byte[] pushed = new byte[2];
        m.Memory.Read(TestMachine.StackTop - 2, pushed);
        Assert.Equal((HighCode + 3) & 0xFFFF, BitConverter.ToUInt16(pushed));
    }

    [Fact]
    public void LoopCountsTheWholeCounterButTruncatesTheTarget()
    {
        using var m = new TestMachine();
        m[GeneralRegister.Rcx] = 0x1_0000_0002;
        Assert.Equal(ExitReason.Halted, RunAt(m, [0x66, 0xE2, 0x02], (0x1005, [0xF4])));
        Assert.Equal(0x1006UL, m.State.Rip);
        Assert.Equal(0x1_0000_0001UL, m[GeneralRegister.Rcx]);
    }

    /// <summary>Runs <paramref name="code"/> from <see cref="HighCode"/> with <paramref name="landing"/> bytes placed.</summary>
    private static ExitReason RunAt(TestMachine m, byte[] code, (ulong Address, byte[] Bytes) landing)
    {
        m.Memory.Write(HighCode, code);
        m.Memory.Write(landing.Address, landing.Bytes);
        m.Interpreter.Blocks.InvalidateAll();
        m.State.Rip = HighCode;
        m.State.Halted = 0;
        return m.Interpreter.Run(100);
    }
}
