using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;
using static Emulator.Cpu.RflagsBits;

namespace Emulator.Cpu.Tests.Execution;

public sealed class StringInstructionTests
{
    private const ulong Source = TestMachine.DataBase;
    private const ulong Destination = TestMachine.DataBase + 0x1_0000;

    private static byte[] Pattern(int length) => [.. Enumerable.Range(0, length).Select(i => (byte)(i * 7 + 1))];

    private static byte[] ReadBytes(TestMachine m, ulong address, int length)
    {
        byte[] bytes = new byte[length];
        m.Memory.Read(address, bytes);
        return bytes;
    }

    [Fact]
    public void RepMovsqCopiesForwardAndUpdatesRegisters()
    {
        using var m = new TestMachine();
        m.Memory.Write(Source, Pattern(64));
        m[GeneralRegister.Rsi] = Source;
        m[GeneralRegister.Rdi] = Destination;
        m[GeneralRegister.Rcx] = 8;
        m.RunToHalt(a => a.rep.movsq());
        byte[] copied = new byte[64];
        m.Memory.Read(Destination, copied);
        Assert.Equal(Pattern(64), copied);
        Assert.Equal((0ul, Source + 64, Destination + 64), (m[GeneralRegister.Rcx], m[GeneralRegister.Rsi], m[GeneralRegister.Rdi]));
    }

    [Fact]
    public void StdMakesStosdRunBackward()
    {
        using var m = new TestMachine();
        m[GeneralRegister.Rax] = 0x1122_3344_AABB_CCDD;
        m[GeneralRegister.Rdi] = Destination + 8;
        m[GeneralRegister.Rcx] = 3;
        m.RunToHalt(a =>
        {
            a.std();
            a.rep.stosd();
        });
        Assert.Equal(Destination - 4, m[GeneralRegister.Rdi]);
        Assert.Equal(0xAABB_CCDDu, m.Memory.Read<uint>(Destination));
        Assert.Equal(0xAABB_CCDDu, m.Memory.Read<uint>(Destination + 8));
        Assert.Equal(0u, m.Memory.Read<uint>(Destination + 12));
    }

    [Fact]
    public void RepneScasbStopsAtTheMatchAndRepeCmpsbAtTheDifference()
    {
        using var m = new TestMachine();
        m.Memory.Write(Source, "hello, world\0"u8.ToArray());
        m.Memory.Write(Destination, "hello, there"u8.ToArray());
        m[GeneralRegister.Rdi] = Source;
        m[GeneralRegister.Rcx] = ulong.MaxValue;
        m[GeneralRegister.Rax] = 0;
        m.RunToHalt(a => a.repne.scasb());
        Assert.Equal(Source + 13, m[GeneralRegister.Rdi]);
        Assert.Equal(ulong.MaxValue - 13, m[GeneralRegister.Rcx]);
        Assert.Equal(ZF | PF, m.StatusFlags);

        using var c = new TestMachine();
        c.Memory.Write(Source, "hello, world"u8.ToArray());
        c.Memory.Write(Destination, "hello, there"u8.ToArray());
        c[GeneralRegister.Rsi] = Source;
        c[GeneralRegister.Rdi] = Destination;
        c[GeneralRegister.Rcx] = 12;
        c.RunToHalt(a => a.repe.cmpsb());
        Assert.Equal(Source + 8, c[GeneralRegister.Rsi]);
        Assert.Equal(4ul, c[GeneralRegister.Rcx]);

        // 'w' - 't' = 3: no borrow, not zero.
        Assert.Equal(PF, c.StatusFlags);
    }

    [Fact]
    public void LodsWithFsOverrideReadsThroughTheFsBase()
    {
        using var m = new TestMachine();
        m.Memory.Write<ulong>(Source + 0x10, 0x0102_0304_0506_0708);
        m.State.Segment(SegmentRegister.Fs).Base = Source;
        m[GeneralRegister.Rsi] = 0x10;
        m.RunToHalt(a => a.AddInstruction(Instruction.CreateLodsq(64, Register.FS)));
        Assert.Equal(0x0102_0304_0506_0708ul, m[GeneralRegister.Rax]);
        Assert.Equal(0x18ul, m[GeneralRegister.Rsi]);
    }

    [Fact]
    public void AddressSizePrefixUsesEcxEsiEdiAndZeroExtendsThem()
    {
        using var m = new TestMachine();
        m.Memory.Write(Source, Pattern(4));
        m[GeneralRegister.Rsi] = 0xFFFF_FFFF_0000_0000 | Source;
        m[GeneralRegister.Rdi] = 0x1234_0000_0000_0000 | Destination;
        m[GeneralRegister.Rcx] = 0xAAAA_AAAA_0000_0004;
        m.RunToHalt(a => a.AddInstruction(Instruction.CreateMovsb(32, Register.None, RepPrefixKind.Repe)));
        Assert.Equal((0ul, Source + 4, Destination + 4), (m[GeneralRegister.Rcx], m[GeneralRegister.Rsi], m[GeneralRegister.Rdi]));
        Assert.Equal(Pattern(4), ReadBytes(m, Destination, 4));
    }

    [Fact]
    public void ZeroCountTouchesNothing()
    {
        using var m = new TestMachine();
        m[GeneralRegister.Rdi] = TestMachine.RamSize + 0x1000;
        m[GeneralRegister.Rcx] = 0;
        m.State.Rflags |= CF;
        m.RunToHalt(a => a.repe.scasq());
        Assert.Equal(TestMachine.RamSize + 0x1000, m[GeneralRegister.Rdi]);
        Assert.Equal(CF, m.StatusFlags);
    }

    [Fact]
    public void LongRepYieldsAfterABoundedChunkWithRipAtTheInstruction()
    {
        const int Length = (2 * StringInstructions.IterationsPerStep) + 100;
        using var m = new TestMachine();
        m.Memory.Write(Source, Pattern(Length));
        m[GeneralRegister.Rsi] = Source;
        m[GeneralRegister.Rdi] = Destination;
        m[GeneralRegister.Rcx] = Length;
        m.Load(a => a.rep.movsb());

        Assert.Equal(ExitReason.InstructionLimit, m.Interpreter.Step());
        Assert.Equal(TestMachine.CodeBase, m.State.Rip);
        Assert.Equal((ulong)(Length - StringInstructions.IterationsPerStep), m[GeneralRegister.Rcx]);
        Assert.Equal(Source + StringInstructions.IterationsPerStep, m[GeneralRegister.Rsi]);

        Assert.Equal(ExitReason.InstructionLimit, m.Interpreter.Run(2));
        Assert.Equal(0ul, m[GeneralRegister.Rcx]);
        Assert.Equal(3, m.Interpreter.InstructionCount);
        Assert.Equal(ExitReason.Halted, m.Interpreter.Run(1));
        Assert.Equal(Pattern(Length), ReadBytes(m, Destination, Length));
    }

    [Fact]
    public void FaultMidwayLeavesRegistersAtTheFaultingIteration()
    {
        using var m = new TestMachine();
        m[GeneralRegister.Rax] = 0x5A;
        m[GeneralRegister.Rdi] = TestMachine.RamSize - 8;
        m[GeneralRegister.Rcx] = 16;
        Assert.Equal(ExitReason.Exception, m.Run(a => a.rep.stosb()));
        Assert.Equal(ExceptionVector.PageFault, m.Interpreter.LastFault.Vector);
        Assert.Equal(TestMachine.RamSize, m.Interpreter.LastFault.Cr2);
        Assert.Equal(TestMachine.CodeBase, m.State.Rip);
        Assert.Equal((8ul, TestMachine.RamSize), (m[GeneralRegister.Rcx], m[GeneralRegister.Rdi]));
        Assert.Equal(0x5A5A_5A5A_5A5A_5A5Aul, m.Memory.Read<ulong>(TestMachine.RamSize - 8));
    }

    [Fact]
    public void ProtectedModeUsesTheDsBaseAndSixteenBitIndexesWrap()
    {
        using var m = new TestMachine();
        FlatModeSetup.Protected32(ref m.State, TestMachine.CodeBase, TestMachine.StackTop);
        m.State.Segment(SegmentRegister.Ds).Base = Source;
        m.Memory.Write(Source + 0xFFFF, new byte[] { 0x42 });
        m[GeneralRegister.Rsi] = 0x0007_FFFF;

        // 67h lodsb: SI = FFFF reads DS:FFFF, then SI wraps to 0 and ESI's upper half is kept.
        var assembler = new Assembler(32);
        assembler.AddInstruction(Instruction.CreateLodsb(16));
        assembler.hlt();
        using var stream = new MemoryStream();
        assembler.Assemble(new StreamCodeWriter(stream), TestMachine.CodeBase);
        m.Memory.Write(TestMachine.CodeBase, stream.ToArray());
        Assert.Equal(ExitReason.Halted, m.Interpreter.Run(10));
        Assert.Equal(0x42ul, m[GeneralRegister.Rax] & 0xFF);
        Assert.Equal(0x0007_0000ul, m[GeneralRegister.Rsi]);
    }
}
