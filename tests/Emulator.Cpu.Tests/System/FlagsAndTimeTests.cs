using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Cpu.Tests.SystemInstructions;

public sealed class FlagsAndTimeTests
{
    private const ulong Iopl3 = 3UL << 12;

    [Fact]
    public void CliStiAtCpl0SetShadowOnlyWhenIfWasClear()
    {
        using var m = new SystemMachine();
        m.State.Rflags |= RflagsBits.IF;
        Assert.Equal(ExitReason.InstructionLimit, RunOne(m, a => a.cli()));
        Assert.Equal(0UL, m.State.Rflags & RflagsBits.IF);
        Assert.Equal(ExitReason.InstructionLimit, RunOne(m, a =>
        {
            a.sti();
            a.sti();
        }));
        Assert.NotEqual(0UL, m.State.Rflags & RflagsBits.IF);
        Assert.Equal(1, m.State.InterruptShadow);

        // The shadow covers the next instruction only; STI with IF already set makes none.
        Assert.Equal(ExitReason.InstructionLimit, m.Interpreter.Step());
        Assert.Equal(0, m.State.InterruptShadow);
    }

    [Fact]
    public void CliStiAtCpl3NeedIopl3()
    {
        using var m = new SystemMachine();
        m.State.Cpl = 3;
        m.AssertGeneralProtection(a => a.cli());
        m.AssertGeneralProtection(a => a.sti());

        m.State.Rflags |= Iopl3 | RflagsBits.IF;
        Assert.Equal(ExitReason.InstructionLimit, RunOne(m, a => a.cli()));
        Assert.Equal(0UL, m.State.Rflags & RflagsBits.IF);
    }

    [Fact]
    public void PushfqClearsVmAndRfInTheImage()
    {
        using var m = new SystemMachine();
        m.State.Rflags = RflagsBits.Fixed1 | RflagsBits.RF | RflagsBits.CF | RflagsBits.IF;
        m.RunToHalt(a =>
        {
            a.pushfq();
            a.pop(rbx);
            a.pushf(); // 16-bit.
            a.pop(cx);
        });
        Assert.Equal(RflagsBits.Fixed1 | RflagsBits.CF | RflagsBits.IF, m[GeneralRegister.Rbx]);
        Assert.Equal(RflagsBits.Fixed1 | RflagsBits.CF | RflagsBits.IF, m[GeneralRegister.Rcx] & 0xFFFF);
        Assert.Equal(SystemMachine.StackTop, m[GeneralRegister.Rsp]);
    }

    [Fact]
    public void PopfAtCpl0ChangesIoplAndIfButNotVmOrRf()
    {
        using var m = new SystemMachine();
        m[GeneralRegister.Rax] = ulong.MaxValue;
        m.RunToHalt(a =>
        {
            a.push(rax);
            a.popfq();
        });

        // Every defined bit except RF, VM, VIF, VIP.
        Assert.Equal(0x0024_7FD7UL, m.State.Rflags);
    }

    [Fact]
    public void PopfAtCpl3KeepsIoplAndIf()
    {
        using var m = new SystemMachine();
        m.State.Cpl = 3;
        m.State.Rflags = RflagsBits.Fixed1;
        m[GeneralRegister.Rax] = Iopl3 | RflagsBits.IF | RflagsBits.CF | RflagsBits.AC | RflagsBits.ID;
        Assert.Equal(ExitReason.InstructionLimit, RunTwo(m, a =>
        {
            a.push(rax);
            a.popfq();
        }));
        Assert.Equal(RflagsBits.Fixed1 | RflagsBits.CF | RflagsBits.AC | RflagsBits.ID, m.State.Rflags);
    }

    [Fact]
    public void PopfAtCpl3WithIopl3ChangesIfButNotIopl()
    {
        using var m = new SystemMachine();
        m.State.Cpl = 3;
        m.State.Rflags = RflagsBits.Fixed1 | Iopl3;
        m[GeneralRegister.Rax] = RflagsBits.IF;
        Assert.Equal(ExitReason.InstructionLimit, RunTwo(m, a =>
        {
            a.push(rax);
            a.popfq();
        }));
        Assert.Equal(RflagsBits.Fixed1 | Iopl3 | RflagsBits.IF, m.State.Rflags);
    }

    [Fact]
    public void RdtscFollowsTheInjectedClockAndOffset()
    {
        using var m = new SystemMachine();
        m.Clock.Now = 0x1_0000_0005;
        m.RunToHalt(a => a.rdtsc());
        Assert.Equal(5UL, m[GeneralRegister.Rax]);
        Assert.Equal(1UL, m[GeneralRegister.Rdx]);

        m.Services.SetTsc(100);
        m.Clock.Now += 20;
        m.State.TscAux = 3;
        m.RunToHalt(a => a.rdtscp());
        Assert.Equal(120UL, m[GeneralRegister.Rax]);
        Assert.Equal(0UL, m[GeneralRegister.Rdx]);
        Assert.Equal(3UL, m[GeneralRegister.Rcx]);
    }

    [Fact]
    public void RdtscIsMonotonicOnTheDefaultClock()
    {
        var services = new SystemServices(new CpuidModel(CpuModel.Qemu64));
        ulong previous = services.Tsc;
        for (int i = 0; i < 100; i++)
        {
            ulong now = services.Tsc;
            Assert.True(now >= previous);
            previous = now;
        }
    }

    [Fact]
    public void RdtscAtCpl3IsGeneralProtectionOnlyWithCr4Tsd()
    {
        using var m = new SystemMachine();
        m.State.Cpl = 3;
        m.Clock.Now = 42;
        Assert.Equal(ExitReason.InstructionLimit, RunOne(m, a => a.rdtsc()));
        Assert.Equal(42UL, m[GeneralRegister.Rax]);
        m.State.Cr4 |= Cr4Bits.TSD;
        m.AssertGeneralProtection(a => a.rdtsc());
    }

    [Fact]
    public void SwapgsExchangesGsBaseAtCpl0Only()
    {
        using var m = new SystemMachine();
        m.State.Segments[(int)SegmentRegister.Gs].Base = 0x1000;
        m.State.KernelGsBase = 0xFFFF_8880_0000_0000;
        m.RunToHalt(a => a.swapgs());
        Assert.Equal(0xFFFF_8880_0000_0000UL, m.State.Segments[(int)SegmentRegister.Gs].Base);
        Assert.Equal(0x1000UL, m.State.KernelGsBase);

        m.State.Cpl = 3;
        m.AssertGeneralProtection(a => a.swapgs());
    }

    [Fact]
    public void FencesClflushAndCacheInstructionsRetire()
    {
        using var m = new SystemMachine();
        m.RunToHalt(a =>
        {
            a.mov(rax, SystemMachine.DataBase);
            a.lfence();
            a.sfence();
            a.mfence();
            a.clflush(__byte_ptr[rax]);
            a.wbinvd();
            a.invd();
            a.invlpg(__[rax]);
        });
    }

    [Fact]
    public void Ud2IsInvalidOpcode()
    {
        using var m = new SystemMachine();
        Assert.Equal(ExitReason.Exception, m.Run(a => a.ud2()));
        Assert.Equal(ExceptionVector.InvalidOpcode, m.Interpreter.LastFault.Vector);
    }

    /// <summary>Runs the first instruction(s) of a program (the HLT after them would fault at CPL 3).</summary>
    private static ExitReason RunOne(SystemMachine m, Action<Iced.Intel.Assembler> program) => m.Run(program, 1);

    private static ExitReason RunTwo(SystemMachine m, Action<Iced.Intel.Assembler> program) => m.Run(program, 2);
}
