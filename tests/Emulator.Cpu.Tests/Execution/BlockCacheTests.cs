using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Cpu.Tests.Execution;

public sealed class BlockCacheTests
{
    [Fact]
    public void BlocksEndAtControlTransfersAndAreReused()
    {
        using var m = new TestMachine();
        m.RunToHalt(asm =>
        {
            Label top = asm.CreateLabel();
            asm.mov(ecx, 100);
            asm.Label(ref top);
            asm.inc(eax);
            asm.dec(ecx);
            asm.jnz(top);
        });
        Assert.Equal(100ul, m[GeneralRegister.Rax]);

        // Entry block (mov .. jnz), loop block (inc .. jnz), the HLT block.
        Assert.Equal(3, m.Interpreter.Blocks.Count);
    }

    [Fact]
    public void InvalidatePageDropsStaleCode()
    {
        using var m = new TestMachine();
        m.RunToHalt(asm => asm.mov(eax, 1));
        Assert.Equal(1ul, m[GeneralRegister.Rax]);

        // mov eax, 2 over the immediate, without telling the cache: the stale block still runs.
        m.Memory.Write(TestMachine.CodeBase + 1, new byte[] { 2 });
        Restart(m);
        Assert.Equal(ExitReason.Halted, m.Interpreter.Run(10));
        Assert.Equal(1ul, m[GeneralRegister.Rax]);

        m.Interpreter.Blocks.InvalidatePage(TestMachine.CodeBase + 0x123);
        Assert.Equal(0, m.Interpreter.Blocks.Count);
        Restart(m);
        Assert.Equal(ExitReason.Halted, m.Interpreter.Run(10));
        Assert.Equal(2ul, m[GeneralRegister.Rax]);
    }

    [Fact]
    public void InvalidatingAnotherPageKeepsBlocks()
    {
        using var m = new TestMachine();
        m.RunToHalt(asm => asm.nop());
        int count = m.Interpreter.Blocks.Count;
        m.Interpreter.Blocks.InvalidatePage(TestMachine.CodeBase + 0x1000);
        Assert.Equal(count, m.Interpreter.Blocks.Count);
        m.Interpreter.Blocks.InvalidateAll();
        Assert.Equal(0, m.Interpreter.Blocks.Count);
    }

    [Fact]
    public void BlockSpanningTwoPagesIsDroppedByEither()
    {
        using var m = new TestMachine();
        ulong start = TestMachine.CodeBase + 0x1000 - 3;
        m.Memory.Write(start, new byte[] { 0xB8, 0x05, 0x00, 0x00, 0x00, 0xF4 }); // mov eax, 5; hlt
        m.State.Rip = start;
        Assert.Equal(ExitReason.Halted, m.Interpreter.Run(10));
        m.Interpreter.Blocks.InvalidatePage(TestMachine.CodeBase + 0x1000);
        Assert.Equal(0, m.Interpreter.Blocks.Count);
    }

    [Fact]
    public void ModeIsPartOfTheKey()
    {
        var state = default(CpuState);
        FlatModeSetup.LongMode64(ref state, 0, 0);
        byte longMode = BlockKey.ModeOf(state);
        FlatModeSetup.Protected32(ref state, 0, 0);
        byte protectedMode = BlockKey.ModeOf(state);
        state.Cpl = 3;
        Assert.NotEqual(longMode, protectedMode);
        Assert.NotEqual(protectedMode, BlockKey.ModeOf(state));
    }

    private static void Restart(TestMachine m)
    {
        m.State.Rip = TestMachine.CodeBase;
        m.State.Halted = 0;
        m[GeneralRegister.Rax] = 0;
    }
}
