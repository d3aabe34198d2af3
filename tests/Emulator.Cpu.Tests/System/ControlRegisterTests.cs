using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Cpu.Tests.SystemInstructions;

public sealed class ControlRegisterTests
{
    [Fact]
    public void LongModeActivationSequenceSetsLma()
    {
        using var m = new SystemMachine(32);
        m.RunToHalt(a =>
        {
            a.mov(eax, cr4);
            a.or(eax, (int)Cr4PagingBits.PAE);
            a.mov(cr4, eax);
            a.mov(ecx, MsrIndex.Efer);
            a.rdmsr();
            a.or(eax, (int)EferBits.LME);
            a.wrmsr();
            a.mov(eax, 0x2000);
            a.mov(cr3, eax);
            a.mov(eax, cr0);
            a.or(eax, unchecked((int)Cr0Bits.PG));
            a.mov(cr0, eax);
        });
        Assert.Equal(EferBits.LME | EferBits.LMA, m.State.Efer);
        Assert.NotEqual(0UL, m.State.Cr0 & Cr0Bits.PG);
        Assert.Equal(0x2000UL, m.State.Cr3);
        Assert.True(m.State.LongModeActive);
        Assert.False(m.State.In64BitMode); // Compatibility mode until a far jump loads a 64-bit CS.
    }

    [Fact]
    public void PagingWithLmeButWithoutPaeIsGeneralProtection()
    {
        using var m = new SystemMachine(32);
        m.State.Cr4 = 0;
        m.State.Efer = EferBits.LME;
        m[GeneralRegister.Rax] = m.State.Cr0 | Cr0Bits.PG;
        m.AssertGeneralProtection(a => a.mov(cr0, eax));
        Assert.Equal(EferBits.LME, m.State.Efer);
    }

    [Fact]
    public void LeavingLongModeFromCompatibilityModeClearsLma()
    {
        using var m = new SystemMachine(32);
        m.State.Cr4 = Cr4PagingBits.PAE;
        m.State.Efer = EferBits.LME | EferBits.LMA;
        m.State.Cr0 |= Cr0Bits.PG;
        m.RunToHalt(a =>
        {
            a.mov(eax, cr0);
            a.and(eax, 0x7FFF_FFFF);
            a.mov(cr0, eax);
        });
        Assert.Equal(EferBits.LME, m.State.Efer);
    }

    [Fact]
    public void ClearingPagingIn64BitModeIsGeneralProtection()
    {
        using var m = new SystemMachine();
        m[GeneralRegister.Rax] = m.State.Cr0 & ~Cr0Bits.PG;
        m.AssertGeneralProtection(a => a.mov(cr0, rax));
    }

    [Theory]
    [InlineData(0, 1UL << 32)] // CR0 upper half.
    [InlineData(0, Cr0Bits.PG)] // PG without PE (PE is cleared by this value).
    [InlineData(0, Cr0Bits.PE | Cr0Bits.NW)] // NW without CD.
    [InlineData(3, 1UL << 40)] // Above the physical width.
    [InlineData(3, 1UL << 63)] // PCID no-flush: PCID not advertised.
    [InlineData(4, 1UL << 20)] // SMEP: not advertised.
    [InlineData(4, 1UL << 13)] // VMXE.
    [InlineData(4, Cr4Bits.VME)]
    [InlineData(4, Cr4PagingBits.PSE)] // Clears PAE in long mode.
    [InlineData(8, 0x10UL)]
    public void ReservedOrIllegalWritesAreGeneralProtection(int register, ulong value)
    {
        using var m = new SystemMachine();
        CpuState before = m.State;
        m[GeneralRegister.Rax] = value;
        m.AssertGeneralProtection(a =>
        {
            switch (register)
            {
                case 0: a.mov(cr0, rax); break;
                case 3: a.mov(cr3, rax); break;
                case 4: a.mov(cr4, rax); break;
                default: a.mov(cr8, rax); break;
            }
        });
        Assert.Equal(before.Cr0, m.State.Cr0);
        Assert.Equal(before.Cr3, m.State.Cr3);
        Assert.Equal(before.Cr4, m.State.Cr4);
        Assert.Equal(before.Cr8, m.State.Cr8);
    }

    [Fact]
    public void Cr0IgnoresUndefinedLowBitsAndKeepsEt()
    {
        using var m = new SystemMachine(32);
        m[GeneralRegister.Rax] = Cr0Bits.PE | (1UL << 7);
        m.RunToHalt(a => a.mov(cr0, eax));
        Assert.Equal(Cr0Bits.PE | Cr0Bits.ET, m.State.Cr0);
    }

    [Fact]
    public void ReadsAndWritesRoundTrip()
    {
        using var m = new SystemMachine();
        m.RunToHalt(a =>
        {
            a.mov(rax, 0x12_3456_7000UL);
            a.mov(cr3, rax);
            a.mov(rbx, cr3);
            a.mov(rax, 0xDEAD_BEEF_0000UL);
            a.mov(cr2, rax);
            a.mov(rcx, cr2);
            a.mov(eax, 5);
            a.mov(cr8, rax);
            a.mov(rdx, cr8);
            a.mov(rax, 0x1234UL);
            a.mov(dr0, rax);
            a.mov(rsi, dr0);
            a.mov(rdi, dr6);
        });
        Assert.Equal(0x12_3456_7000UL, m[GeneralRegister.Rbx]);
        Assert.Equal(0xDEAD_BEEF_0000UL, m[GeneralRegister.Rcx]);
        Assert.Equal(5UL, m[GeneralRegister.Rdx]);
        Assert.Equal(0x1234UL, m[GeneralRegister.Rsi]);
        Assert.Equal(CpuReset.Dr6, m[GeneralRegister.Rdi]);
    }

    [Fact]
    public void ControlAndDebugRegistersAreGeneralProtectionAtCpl3()
    {
        using var m = new SystemMachine();
        m.State.Cpl = 3;
        m.AssertGeneralProtection(a => a.mov(rax, cr0));
        m.AssertGeneralProtection(a => a.mov(cr3, rax));
        m.AssertGeneralProtection(a => a.mov(rax, dr7));
        m.AssertGeneralProtection(a => a.clts());
        m.AssertGeneralProtection(a => a.wbinvd());
        m.AssertGeneralProtection(a => a.invlpg(__[rax]));
    }

    [Fact]
    public void CltsClearsTaskSwitched()
    {
        using var m = new SystemMachine();
        m.State.Cr0 |= Cr0Bits.TS;
        m.RunToHalt(a => a.clts());
        Assert.Equal(0UL, m.State.Cr0 & Cr0Bits.TS);
    }

    [Fact]
    public void WritesNotifyTheHook()
    {
        using var m = new SystemMachine();
        var seen = new List<int>();
        m.Services.ControlRegisterWritten = seen.Add;
        m.RunToHalt(a =>
        {
            a.mov(rax, cr3);
            a.mov(cr3, rax);
            a.mov(rax, cr4);
            a.or(eax, (int)Cr4PagingBits.PGE);
            a.mov(cr4, rax);
        });
        Assert.Equal([3, 4], seen);
    }
}
