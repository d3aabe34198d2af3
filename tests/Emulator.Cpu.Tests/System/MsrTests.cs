using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Cpu.Tests.SystemInstructions;

public sealed class MsrTests
{
    [Theory]
    [InlineData(MsrIndex.Star, 0x0023_0010_0000_0000UL)]
    [InlineData(MsrIndex.Lstar, 0xFFFF_FFFF_8100_0000UL)]
    [InlineData(MsrIndex.Cstar, 0xFFFF_FFFF_8100_0040UL)]
    [InlineData(MsrIndex.Sfmask, 0x0004_7700UL)]
    [InlineData(MsrIndex.FsBase, 0x7F00_1234_5000UL)]
    [InlineData(MsrIndex.GsBase, 0xFFFF_8880_0000_0000UL)]
    [InlineData(MsrIndex.KernelGsBase, 0x1000UL)]
    [InlineData(MsrIndex.TscAux, 7UL)]
    [InlineData(MsrIndex.SysenterCs, 0x10UL)]
    [InlineData(MsrIndex.SysenterEsp, 0xFFFF_FE00_0000_0000UL)]
    [InlineData(MsrIndex.SysenterEip, 0xFFFF_FFFF_8100_1000UL)]
    [InlineData(MsrIndex.Pat, 0x0007_0406_0007_0106UL)]
    [InlineData(MsrIndex.MiscEnable, 0x1UL)]
    [InlineData(MsrIndex.MtrrDefType, 0xC06UL)]
    [InlineData(MsrIndex.MtrrFix64K00000, 0x0606_0606_0606_0606UL)]
    [InlineData(MsrIndex.MtrrFix4KF8000, 0x0505_0505_0505_0505UL)]
    [InlineData(0x200u, 0x8000_0006UL)]
    [InlineData(0x201u, 0xFF_8000_0800UL)]
    [InlineData(MsrIndex.ApicBase, 0xFEE0_0900UL)]
    [InlineData(MsrIndex.Efer, EferBits.SCE | EferBits.LME | EferBits.LMA | EferBits.NXE)]
    public void WriteThenReadRoundTrips(uint index, ulong value)
    {
        using var m = new SystemMachine();
        m.RunToHalt(a =>
        {
            a.mov(ecx, index);
            a.mov(eax, (uint)value);
            a.mov(edx, (uint)(value >> 32));
            a.wrmsr();
            a.xor(eax, eax);
            a.xor(edx, edx);
            a.rdmsr();
        });
        Assert.Equal(value & 0xFFFF_FFFF, m[GeneralRegister.Rax]);
        Assert.Equal(value >> 32, m[GeneralRegister.Rdx]);
    }

    [Fact]
    public void FsBaseMsrIsTheSegmentBase()
    {
        using var m = new SystemMachine();
        Assert.True(ModelSpecificRegisters.TryWrite(ref m.State, m.Services, MsrIndex.FsBase, 0x1234_5000));
        Assert.Equal(0x1234_5000UL, m.State.Segments[(int)SegmentRegister.Fs].Base);
    }

    [Fact]
    public void MtrrCapIsReadOnly()
    {
        using var m = new SystemMachine();
        Assert.True(ModelSpecificRegisters.TryRead(ref m.State, m.Services, MsrIndex.MtrrCap, out ulong cap));
        Assert.Equal(0x508UL, cap);
        Assert.False(ModelSpecificRegisters.TryWrite(ref m.State, m.Services, MsrIndex.MtrrCap, cap));
    }

    [Theory]
    [InlineData(0x0u)]
    [InlineData(0x8Bu)]
    [InlineData(0x3Au)]
    [InlineData(0xC000_0104u)]
    [InlineData(0x4B56_4D01u)]
    [InlineData(0xFFFF_FFFFu)]
    public void UnknownMsrIsGeneralProtection(uint index)
    {
        using var m = new SystemMachine();
        m[GeneralRegister.Rcx] = index;
        m.AssertGeneralProtection(a => a.rdmsr());
        m.AssertGeneralProtection(a => a.wrmsr());
    }

    [Theory]
    [InlineData(MsrIndex.Efer, 1UL << 12)] // SVME: SVM not advertised.
    [InlineData(MsrIndex.Efer, 1UL << 1)]
    [InlineData(MsrIndex.Pat, 0x0007_0406_0007_0402UL)] // Type 2 is reserved.
    [InlineData(MsrIndex.Pat, 0x0807_0406_0007_0406UL)]
    [InlineData(MsrIndex.Lstar, 0x0000_8000_0000_0000UL)] // Not canonical.
    [InlineData(MsrIndex.KernelGsBase, 0x8000_0000_0000_0000UL)]
    [InlineData(MsrIndex.TscAux, 1UL << 32)]
    [InlineData(MsrIndex.ApicBase, 0xFEE0_0C00UL)] // x2APIC enable: not advertised.
    [InlineData(MsrIndex.ApicBase, 0x100_FEE0_0800UL)] // Above the physical width.
    [InlineData(MsrIndex.MtrrDefType, 0x2UL)]
    [InlineData(MsrIndex.MtrrFix16K80000, 0x0303_0303_0303_0303UL)]
    [InlineData(0x200u, 0x8000_0003UL)]
    public void ReservedValuesAreGeneralProtection(uint index, ulong value)
    {
        using var m = new SystemMachine();
        Assert.True(ModelSpecificRegisters.TryRead(ref m.State, m.Services, index, out ulong before));
        m[GeneralRegister.Rcx] = index;
        m[GeneralRegister.Rax] = value & 0xFFFF_FFFF;
        m[GeneralRegister.Rdx] = value >> 32;
        m.AssertGeneralProtection(a => a.wrmsr());
        Assert.True(ModelSpecificRegisters.TryRead(ref m.State, m.Services, index, out ulong after));
        Assert.Equal(before, after);
    }

    [Fact]
    public void EferLmaIsReadOnlyAndLmeIsFixedWhilePaging()
    {
        using var m = new SystemMachine();

        // In long mode (paging on), clearing LMA is ignored and LME cannot be cleared.
        Assert.True(ModelSpecificRegisters.TryWrite(ref m.State, m.Services, MsrIndex.Efer, EferBits.LME | EferBits.NXE));
        Assert.Equal(EferBits.LME | EferBits.LMA | EferBits.NXE, m.State.Efer);
        Assert.False(ModelSpecificRegisters.TryWrite(ref m.State, m.Services, MsrIndex.Efer, EferBits.NXE));

        // Without paging, writing LMA does not set it.
        using var p = new SystemMachine(32);
        Assert.True(ModelSpecificRegisters.TryWrite(ref p.State, p.Services, MsrIndex.Efer, EferBits.LMA | EferBits.LME));
        Assert.Equal(EferBits.LME, p.State.Efer);
    }

    [Fact]
    public void ApicBaseKeepsTheBspBit()
    {
        using var m = new SystemMachine();
        Assert.True(ModelSpecificRegisters.TryWrite(ref m.State, m.Services, MsrIndex.ApicBase, 0xFEC0_0800));
        Assert.Equal(0xFEC0_0800UL | ApicBaseBits.Bsp, m.State.ApicBase);
    }

    [Fact]
    public void RdmsrAndWrmsrAreGeneralProtectionAtCpl3()
    {
        using var m = new SystemMachine();
        m.State.Cpl = 3;
        m[GeneralRegister.Rcx] = MsrIndex.Star;
        m.AssertGeneralProtection(a => a.rdmsr());
        m.AssertGeneralProtection(a => a.wrmsr());
    }

    [Fact]
    public void TscMsrWriteSetsTheOffset()
    {
        using var m = new SystemMachine();
        m.Clock.Now = 1000;
        Assert.True(ModelSpecificRegisters.TryWrite(ref m.State, m.Services, MsrIndex.Tsc, 50));
        m.Clock.Now = 1300;
        Assert.True(ModelSpecificRegisters.TryRead(ref m.State, m.Services, MsrIndex.Tsc, out ulong tsc));
        Assert.Equal(350UL, tsc);
    }
}
