using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Cpu.Tests.SystemInstructions;

/// <summary>The machine-check MSRs as QEMU TCG models them for qemu64 (MCE and MCA advertised).</summary>
public sealed class MachineCheckMsrTests
{
    [Fact]
    public void McgCapHasControlRecoveryAndTenBanks()
    {
        using var m = new SystemMachine();
        Assert.Equal(0x0100_010AUL, Rdmsr(m, MsrIndex.McgCap));
        Assert.Equal(10, MachineCheckBanks.BankCount);
    }

    [Fact]
    public void McgCapIsReadOnly()
    {
        using var m = new SystemMachine();
        m[GeneralRegister.Rcx] = MsrIndex.McgCap;
        m[GeneralRegister.Rax] = 0x10A;
        m[GeneralRegister.Rdx] = 0;
        m.AssertGeneralProtection(a => a.wrmsr());
    }

    [Fact]
    public void PowerOnEnablesEveryBankAndLogsNothing()
    {
        using var m = new SystemMachine();
        Assert.Equal(ulong.MaxValue, Rdmsr(m, MsrIndex.McgCtl));
        Assert.Equal(0UL, Rdmsr(m, MsrIndex.McgStatus));
        for (uint bank = 0; bank < MachineCheckBanks.BankCount; bank++)
        {
            uint ctl = MsrIndex.Mc0Ctl + (4 * bank);
            Assert.Equal(ulong.MaxValue, Rdmsr(m, ctl));
            Assert.Equal(0UL, Rdmsr(m, ctl + 1));
            Assert.Equal(0UL, Rdmsr(m, ctl + 2));
            Assert.Equal(0UL, Rdmsr(m, ctl + 3));
        }
    }

    [Theory]
    [InlineData(MsrIndex.McgCtl, 0UL, 0UL)]
    [InlineData(MsrIndex.McgCtl, 0x1234UL, ulong.MaxValue)] // Neither all nor nothing: ignored.
    [InlineData(MsrIndex.Mc0Ctl, 0UL, 0UL)]
    [InlineData(MsrIndex.Mc0Ctl + 16, ulong.MaxValue & ~(1UL << 10), ulong.MaxValue)] // Linux's K8 GART quirk on MC4_CTL: ignored, no #GP.
    [InlineData(MsrIndex.Mc0Ctl + 1, 0xB200_0000_0000_0135UL, 0xB200_0000_0000_0135UL)] // STATUS takes anything.
    [InlineData(MsrIndex.Mc0Ctl + 38, 0x1234_5000UL, 0x1234_5000UL)] // MC9_ADDR.
    [InlineData(MsrIndex.Mc0Ctl + 39, 0x86UL, 0x86UL)] // MC9_MISC.
    [InlineData(MsrIndex.McgStatus, 0x5UL, 0x5UL)]
    public void WritesStoreAsQemuDoes(uint index, ulong written, ulong readBack)
    {
        using var m = new SystemMachine();
        m.RunToHalt(a =>
        {
            a.mov(ecx, index);
            a.mov(eax, (uint)written);
            a.mov(edx, (uint)(written >> 32));
            a.wrmsr();
        });
        Assert.Equal(readBack, Rdmsr(m, index));
    }

    [Theory]
    [InlineData(0x17Cu)]
    [InlineData(MsrIndex.Mc0Ctl + 40)] // MC10_CTL: past the tenth bank.
    [InlineData(0x3FFu)]
    public void NeighboursAreGeneralProtection(uint index)
    {
        using var m = new SystemMachine();
        m[GeneralRegister.Rcx] = index;
        m.AssertGeneralProtection(a => a.rdmsr());
    }

    [Fact]
    public void ResetClearsMcgStatusButKeepsTheBanks()
    {
        var banks = new MachineCheckBanks();
        Assert.True(banks.TryWrite(MsrIndex.McgStatus, 7));
        Assert.True(banks.TryWrite(MsrIndex.Mc0Ctl + 1, 0x8000_0000_0000_0001));
        Assert.True(banks.TryWrite(MsrIndex.McgCtl, 0));
        banks.Reset();
        Assert.True(banks.TryRead(MsrIndex.McgStatus, out ulong status));
        Assert.Equal(0UL, status);
        Assert.True(banks.TryRead(MsrIndex.Mc0Ctl + 1, out ulong bankStatus));
        Assert.Equal(0x8000_0000_0000_0001UL, bankStatus);
        Assert.Equal(0UL, banks.Control);
    }

    [Fact]
    public void Cr4AcceptsMceAndDeNowThatCpuidAdvertisesThem()
    {
        using var m = new SystemMachine();
        ulong cr4 = m.State.Cr4 | Cr4Bits.MCE | Cr4Bits.DE;
        Assert.True(ControlRegisterWrites.TryWriteCr4(ref m.State, cr4));
        Assert.Equal(cr4, m.State.Cr4);
    }

    [Fact]
    public void CpuidAdvertisesMachineCheckAndMtrr()
    {
        CpuidResult leaf1 = new CpuidModel(CpuModel.Qemu64).Query(1, 0);
        const uint wanted = CpuidFeatures.Mce | CpuidFeatures.Mca | CpuidFeatures.Mtrr | CpuidFeatures.Pse36 | CpuidFeatures.De;
        Assert.Equal(wanted, leaf1.Edx & wanted);
    }

    private static ulong Rdmsr(SystemMachine m, uint index)
    {
        Assert.True(ModelSpecificRegisters.TryRead(ref m.State, m.Services, index, out ulong value));
        return value;
    }
}
