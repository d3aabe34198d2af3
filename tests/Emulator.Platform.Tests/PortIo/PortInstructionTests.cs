using Emulator.Cpu;
using Iced.Intel;
using Emulator.Tests.Shared;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Platform.Tests.PortIo;

public sealed class PortInstructionTests
{
    [Fact]
    public void OutImmediateAndDxFormsWriteEachWidth()
    {
        using var m = new PortMachine();
        m[GeneralRegister.Rax] = 0x1122_3344_5566_7788;
        m[GeneralRegister.Rdx] = 0xABCD_03F8;
        m.RunToHalt(a =>
        {
            a.@out(0xE9, al);
            a.@out(0x80, ax);
            a.@out(0x70, eax);
            a.@out(dx, al);
            a.@out(dx, ax);
            a.@out(dx, eax);
        });
        Assert.Equal(
            [(true, (ushort)0xE9, 1, 0x88u), (true, (ushort)0x80, 2, 0x7788u), (true, (ushort)0x70, 4, 0x5566_7788u),
             (true, (ushort)0x3F8, 1, 0x88u), (true, (ushort)0x3F8, 2, 0x7788u), (true, (ushort)0x3F8, 4, 0x5566_7788u)],
            m.Bus.Accesses);
    }

    [Fact]
    public void InMergesNarrowResultsAndZeroExtendsEax()
    {
        using var m = new PortMachine();
        m[GeneralRegister.Rax] = 0xFFFF_FFFF_FFFF_FFFF;
        m[GeneralRegister.Rbx] = 0xFFFF_FFFF_FFFF_FFFF;
        m[GeneralRegister.Rdx] = 0x60;
        m.Bus.ReadValues.Enqueue(0x12);
        m.Bus.ReadValues.Enqueue(0x3456);
        m.Bus.ReadValues.Enqueue(0x789A_BCDE);
        m.RunToHalt(a =>
        {
            a.@in(al, 0x64);
            a.mov(bl, al);
            a.@in(ax, dx);
            a.mov(bx, ax);
            a.@in(eax, dx);
        });
        Assert.Equal(0x789A_BCDEUL, m[GeneralRegister.Rax]);
        Assert.Equal(0xFFFF_FFFF_FFFF_3456UL, m[GeneralRegister.Rbx]);
        Assert.Equal([(ushort)0x64, (ushort)0x60, (ushort)0x60], m.Bus.Accesses.Select(x => x.Port));
    }

    [Fact]
    public void WithoutABusPortsReadAllOnes()
    {
        using var memory = Emulator.Memory.GuestMemory.Create((0, 0x10_0000));
        using var vcpu = new Vcpu();
        FlatModeSetup.LongMode64(ref vcpu.State, 0x1000, 0x8000);
        memory.Write(0x1000, [0x66, 0xE5, 0x10, 0xF4]); // in ax, 10h; hlt
        var interpreter = new Interpreter(vcpu, new FlatMemory(memory));
        Assert.Equal(ExitReason.Halted, interpreter.Run(10));
        Assert.Equal(0xFFFFUL, vcpu.State.Register(GeneralRegister.Rax) & 0xFFFF);
    }

    [Fact]
    public void RepOutsbSendsEveryByteForwardAndRepInswStoresBackward()
    {
        using var m = new PortMachine();
        m.Memory.Write(PortMachine.DataBase, "hello"u8.ToArray());
        m[GeneralRegister.Rsi] = PortMachine.DataBase;
        m[GeneralRegister.Rcx] = 5;
        m[GeneralRegister.Rdx] = 0xE9;
        m.RunToHalt(a => a.rep.outsb());
        Assert.Equal("hello"u8.ToArray(), m.Bus.Accesses.Select(x => (byte)x.Value).ToArray());
        Assert.Equal((0UL, PortMachine.DataBase + 5), (m[GeneralRegister.Rcx], m[GeneralRegister.Rsi]));

        m.Bus.Accesses.Clear();
        m.Bus.ReadValues.Enqueue(0x1111);
        m.Bus.ReadValues.Enqueue(0x2222);
        m[GeneralRegister.Rdi] = PortMachine.DataBase + 0x102;
        m[GeneralRegister.Rcx] = 2;
        m.RunToHalt(a =>
        {
            a.std();
            a.rep.insw();
        });
        Assert.Equal((ushort)0x1111, m.Memory.Read<ushort>(PortMachine.DataBase + 0x102));
        Assert.Equal((ushort)0x2222, m.Memory.Read<ushort>(PortMachine.DataBase + 0x100));
        Assert.Equal(PortMachine.DataBase + 0xFE, m[GeneralRegister.Rdi]);
    }

    [Fact]
    public void AddressSizePrefixWrapsA32IndexAndCounter()
    {
        using var m = new PortMachine();
        m[GeneralRegister.Rsi] = 0xFFFF_FFFF_0004_0000;
        m[GeneralRegister.Rcx] = 0xFFFF_FFFF_0000_0002;
        m[GeneralRegister.Rdx] = 0x80;
        m.Memory.Write(PortMachine.DataBase, [7, 8]);

        // F3 67 6E: rep outs dx, byte [esi] — ESI/ECX are used and written zero-extended.
        m.RunToHalt(a => a.db(0xF3, 0x67, 0x6E));
        Assert.Equal([7u, 8u], m.Bus.Accesses.Select(x => x.Value));
        Assert.Equal(PortMachine.DataBase + 2, m[GeneralRegister.Rsi]);
        Assert.Equal(0UL, m[GeneralRegister.Rcx]);
    }

    [Fact]
    public void FaultMidwayLeavesRegistersAfterTheLastCompletedIteration()
    {
        using var m = new PortMachine();
        ulong start = PortMachine.RamSize - 3;
        m.Memory.Write(start, [1, 2, 3]);
        m[GeneralRegister.Rsi] = start;
        m[GeneralRegister.Rcx] = 10;
        m[GeneralRegister.Rdx] = 0xE9;
        Assert.Equal(ExitReason.Exception, m.Run(a => a.rep.outsb()));
        Assert.Equal(ExceptionVector.PageFault, m.Interpreter.LastFault.Vector);
        Assert.Equal([1u, 2u, 3u], m.Bus.Accesses.Select(x => x.Value));
        Assert.Equal((7UL, PortMachine.RamSize), (m[GeneralRegister.Rcx], m[GeneralRegister.Rsi]));
        Assert.Equal(PortMachine.CodeBase, m.State.Rip);
    }

    [Fact]
    public void FaultingInsDoesNotConsumeThePortRead()
    {
        using var m = new PortMachine();
        m[GeneralRegister.Rdi] = PortMachine.RamSize;
        m[GeneralRegister.Rdx] = 0x60;
        Assert.Equal(ExitReason.Exception, m.Run(a => a.insb()));
        Assert.Empty(m.Bus.Accesses);
    }

    [Fact]
    public void RepWithZeroCountTouchesNoPort()
    {
        using var m = new PortMachine();
        m[GeneralRegister.Rcx] = 0;
        m.RunToHalt(a => a.rep.outsd());
        Assert.Empty(m.Bus.Accesses);
    }

    [Fact]
    public void LongRepYieldsAndResumesWithoutLosingBytes()
    {
        using var m = new PortMachine();
        int count = (StringInstructions.IterationsPerStep * 2) + 5;
        m[GeneralRegister.Rsi] = PortMachine.DataBase;
        m[GeneralRegister.Rcx] = (ulong)count;
        m.RunToHalt(a => a.rep.outsb());
        Assert.Equal(count, m.Bus.Accesses.Count);
    }

    [Fact]
    public void UserModeAccessFollowsTheTssBitmap()
    {
        using var m = new PortMachine();
        const ulong tss = 0x2_0000;
        const ushort map = 0x68;

        // Ports 0x80-0x87 allowed except 0x81; everything else in 0x00-0xFF denied.
        byte[] bitmap = Enumerable.Repeat((byte)0xFF, 0x20 + 1).ToArray();
        bitmap[0x10] = 0x02;
        m.Memory.Write(tss + map, bitmap);
        m.UserModeWithTss(tss, map + 0x20, map);
        m[GeneralRegister.Rdx] = 0x82;
        m.RunUser(
            a =>
            {
                a.@out(0x80, al);
                a.@out(dx, ax);
            },
            2);
        Assert.Equal(2, m.Bus.Accesses.Count);

        Assert.Equal(ExitReason.Exception, m.Run(a => a.@out(0x80, ax)));
        Assert.Equal(CpuFault.GeneralProtection(0), m.Interpreter.LastFault);
        Assert.Equal(ExitReason.Exception, m.Run(a => a.@in(al, 0x90)));
        Assert.Equal(2, m.Bus.Accesses.Count);
    }

    [Fact]
    public void BitmapBeyondTheTssLimitIsGeneralProtection()
    {
        using var m = new PortMachine();
        const ulong tss = 0x2_0000;
        m.UserModeWithTss(tss, 0x67 + 2, 0x68);

        // Port 0x08 needs bytes 0x69-0x6A, one past the limit.
        Assert.Equal(ExitReason.Exception, m.Run(a => a.@out(0x08, al)));
        Assert.Equal(CpuFault.GeneralProtection(0), m.Interpreter.LastFault);
        m.RunUser(a => a.@out(0x00, al), 1);
    }

    [Fact]
    public void IoplAtOrAboveCplSkipsTheBitmap()
    {
        using var m = new PortMachine();
        m.UserModeWithTss(0x2_0000, 0x10, 0x68);
        m.State.Rflags |= 3UL << 12;
        m.RunUser(a => a.@out(0x80, al), 1);
        Assert.Single(m.Bus.Accesses);
    }

    [Fact]
    public void Virtual8086ModeChecksTheBitmapWhateverTheIopl()
    {
        using var m = new PortMachine();
        const ulong tss = 0x2_0000;
        m.Memory.Write(tss + 0x68, Enumerable.Repeat((byte)0xFF, 0x21).ToArray());
        m.UserModeWithTss(tss, 0x68 + 0x20, 0x68);
        m.State.Cpl = 0;
        m.State.Rflags |= (3UL << 12) | Emulator.Cpu.RflagsBits.VM;
        m.State.Efer = 0;
        m.State.Cr0 &= ~Cr0Bits.PG;
        m.Memory.Write(PortMachine.CodeBase, [0xE6, 0x80]); // out 80h, al (16-bit code, as in virtual-8086 mode)
        m.State.Segments[(int)SegmentRegister.Cs] = new SegmentCache(0, 0, 0xFFFF, SegmentFlags.Present | SegmentFlags.CodeOrData | SegmentFlags.Code);
        m.State.Rip = PortMachine.CodeBase;
        m.Interpreter.Blocks.InvalidateAll();
        Assert.Equal(ExitReason.Exception, m.Interpreter.Run(1));
        Assert.Equal(CpuFault.GeneralProtection(0), m.Interpreter.LastFault);
        Assert.Empty(m.Bus.Accesses);
    }

    [Fact]
    [Trait("Category", FuzzBudget.Category)]
    public void RandomTssStateNeverThrows()
    {
        var random = new Random(77);
        using var m = new PortMachine();
        byte[] junk = new byte[0x3000];
        for (int i = 0, n = FuzzBudget.Iterations(2000); i < n; i++)
        {
            random.NextBytes(junk);
            m.Memory.Write(0x2_0000, junk);
            ulong tssBase = random.Next(4) == 0 ? (ulong)random.NextInt64() : 0x2_0000 + (ulong)random.Next(0x1000);
            m.State.Tr = new SegmentCache(0x28, tssBase, (uint)random.Next(), (uint)random.Next() & 0xFFFF00);
            m.State.Cpl = (byte)random.Next(4);
            m.State.Rflags = 2 | ((ulong)random.Next(4) << 12);
            m[GeneralRegister.Rdx] = (ulong)random.Next(0x10000);
            m[GeneralRegister.Rcx] = (ulong)random.Next(3);
            m[GeneralRegister.Rsi] = PortMachine.DataBase;
            byte op = (byte)(random.Next(2) == 0 ? 0xEF : 0x6E);
            m.Memory.Write(PortMachine.CodeBase, [0xF3, op]);
            m.State.Rip = PortMachine.CodeBase;
            m.State.Halted = 0;
            m.Interpreter.Blocks.InvalidateAll();
            ExitReason reason = m.Interpreter.Run(1);
            Assert.True(reason is ExitReason.InstructionLimit or ExitReason.Exception);
        }
    }
}
