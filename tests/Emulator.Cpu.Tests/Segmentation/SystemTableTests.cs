using Emulator.Cpu.Tests.Interrupts;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Cpu.Tests.Segmentation;

public sealed class SystemTableTests
{
    private const byte Gp = ExceptionVector.GeneralProtection;

    [Fact]
    public void LgdtAndSgdtRoundTripIn32BitMode()
    {
        using var m = new SegmentationMachine().Protected();
        m.Machine.Memory.Write(0x3000ul, (ushort)0x1234);
        m.Machine.Memory.Write(0x3002ul, 0xFEDC_BA98u);
        Assert.Equal(ExitReason.Halted, m.Run(a =>
        {
            a.sidt(__fword_ptr[0x3100]);
            a.lidt(__fword_ptr[0x3000]);
            a.sidt(__fword_ptr[0x3010]);
            a.hlt();
        }));
        Assert.Equal(0xFEDC_BA98ul, m.State.Idtr.Base);
        Assert.Equal(0x1234u, m.State.Idtr.Limit);
        Assert.Equal((ushort)0x1234, m.Machine.Memory.Read<ushort>(0x3010));
        Assert.Equal(0xFEDC_BA98u, m.Machine.Memory.Read<uint>(0x3012));
    }

    [Fact]
    public void SixteenBitLgdtKeepsTwentyFourBaseBits()
    {
        using var m = new SegmentationMachine().Protected();
        m.Machine.Memory.Write(0x3000ul, (ushort)0xFF);
        m.Machine.Memory.Write(0x3002ul, 0x1200_0500u);
        Assert.Equal(ExitReason.Halted, m.Run(a =>
        {
            a.db(0x66);
            a.lgdt(__fword_ptr[0x3000]);
            a.hlt();
        }));
        Assert.Equal(0x500ul, m.State.Gdtr.Base);
    }

    [Fact]
    public void SixtyFourBitLgdtRejectsNonCanonicalBase()
    {
        using var m = new SegmentationMachine().Long();
        m.Machine.Memory.Write(0x3000ul, (ushort)0xFF);
        m.Machine.Memory.Write(0x3002ul, 0x0000_8000_0000_0000ul);
        Assert.Equal(ExitReason.Exception, m.Run(a =>
        {
            a.lgdt(__tword_ptr[0x3000]);
            a.hlt();
        }, 64));
        m.AssertFault(Gp, 0);
        Assert.Equal(InterruptMachine.GdtBase, m.State.Gdtr.Base);
    }

    [Fact]
    public void SgdtIn64BitModeStoresTenBytes()
    {
        using var m = new SegmentationMachine().Long();
        m.State.Gdtr.Base = 0xFFFF_8000_1234_5000;
        Assert.Equal(ExitReason.Halted, m.Run(a =>
        {
            a.sgdt(__tword_ptr[0x3000]);
            a.hlt();
        }, 64));
        Assert.Equal((ushort)0xFF, m.Machine.Memory.Read<ushort>(0x3000));
        Assert.Equal(0xFFFF_8000_1234_5000ul, m.Machine.Memory.Read<ulong>(0x3002));
    }

    [Fact]
    public void LgdtAboveRingZeroIsGp()
    {
        using var m = new SegmentationMachine().Long();
        m.Machine.EnterUser64(InterruptMachine.MainCode, 0x7_0000);
        Assert.Equal(ExitReason.Exception, m.Run(a =>
        {
            a.lgdt(__tword_ptr[0x3000]);
            a.hlt();
        }, 64));
        m.AssertFault(Gp, 0);
    }

    [Fact]
    public void UmipBlocksStoresAboveRingZero()
    {
        using var m = new SegmentationMachine().Long();
        m.Machine.EnterUser64(InterruptMachine.MainCode, 0x7_0000);
        m.Machine.Emit(InterruptMachine.MainCode, a =>
        {
            a.sgdt(__tword_ptr[0x3000]);
            a.smsw(eax);
            a.str(ebx);
            a.nop();
        });
        Assert.Equal(ExitReason.InstructionLimit, m.Machine.Run(3));
        Assert.Equal((ulong)InterruptMachine.TssSelector, m[GeneralRegister.Rbx]);

        m.Machine.EnterUser64(InterruptMachine.MainCode, 0x7_0000);
        m.State.Cr4 |= SystemTableInstructions.Cr4Umip;
        Assert.Equal(ExitReason.Exception, m.Machine.Run(3));
        m.AssertFault(Gp, 0);
    }

    [Fact]
    public void LtrMarksTheTssBusyAndRefusesABusyOne()
    {
        using var m = new SegmentationMachine().Protected();
        Assert.Equal(ExitReason.Halted, m.Run(a =>
        {
            a.mov(ax, SegmentationMachine.SpareTss);
            a.ltr(ax);
            a.hlt();
        }));
        Assert.Equal(SegmentationMachine.SpareTss, m.State.Tr.Selector);
        Assert.Equal(SegmentFlags.TypeBusyTss, m.State.Tr.Type);
        Assert.Equal(0x700ul, m.State.Tr.Base);
        ulong raw = m.Machine.Memory.Read<ulong>(InterruptMachine.GdtBase + SegmentationMachine.SpareTss);
        Assert.Equal(11ul, (raw >> 40) & 0xF);

        m.Protected();
        Assert.Equal(ExitReason.Exception, m.Run(a =>
        {
            a.mov(ax, SegmentationMachine.SpareTss);
            a.ltr(ax);
            a.hlt();
        }));
        m.AssertFault(Gp, SegmentationMachine.SpareTss);
    }

    [Fact]
    public void LldtRejectsNonLdtDescriptorsAndAcceptsNull()
    {
        using var m = new SegmentationMachine().Protected();
        Assert.Equal(ExitReason.Exception, m.Run(a =>
        {
            a.mov(ax, InterruptMachine.KernelData);
            a.lldt(ax);
            a.hlt();
        }));
        m.AssertFault(Gp, InterruptMachine.KernelData);

        m.Protected();
        Assert.Equal(ExitReason.Halted, m.Run(a =>
        {
            a.xor(eax, eax);
            a.lldt(ax);
            a.hlt();
        }));
        Assert.Equal(0, m.State.Ldtr.Selector);
    }

    [Fact]
    public void SldtIsUndefinedInRealMode()
    {
        using var m = new SegmentationMachine().Real();
        Assert.Equal(ExitReason.Exception, m.Run(a =>
        {
            a.sldt(ax);
            a.hlt();
        }, 16));
        Assert.Equal(ExceptionVector.InvalidOpcode, m.Fault.Vector);
    }

    [Fact]
    public void LmswSetsLowBitsButCannotClearPe()
    {
        using var m = new SegmentationMachine().Protected();
        Assert.Equal(ExitReason.Halted, m.Run(a =>
        {
            a.mov(eax, 0xFFF2);
            a.lmsw(ax);
            a.smsw(ebx);
            a.hlt();
        }));
        Assert.NotEqual(0ul, m.State.Cr0 & Cr0Bits.PE);
        Assert.NotEqual(0ul, m.State.Cr0 & Cr0Bits.MP);
        Assert.Equal(m.State.Cr0 & 0xFFFF_FFFF, m[GeneralRegister.Rbx]);
    }
}
