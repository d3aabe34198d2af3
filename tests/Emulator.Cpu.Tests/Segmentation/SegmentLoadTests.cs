using Emulator.Cpu.Tests.Interrupts;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Cpu.Tests.Segmentation;

public sealed class SegmentLoadTests
{
    private const byte Gp = ExceptionVector.GeneralProtection;

    [Fact]
    public void MovDsLoadsTheDescriptorCacheAndSetsAccessed()
    {
        using var m = new SegmentationMachine().Protected();
        Assert.Equal(ExitReason.Halted, m.Run(a =>
        {
            a.mov(ax, SegmentationMachine.SmallData);
            a.mov(ds, ax);
            a.mov(ebx, __dword_ptr[0x10]);
            a.hlt();
        }));
        SegmentCache data = m.State.Segment(SegmentRegister.Ds);
        Assert.Equal(SegmentationMachine.SmallBase, data.Base);
        Assert.Equal(0xFFFu, data.Limit);
        Assert.NotEqual(0u, data.Flags & SegmentFlags.Accessed);
        ulong raw = m.Machine.Memory.Read<ulong>(InterruptMachine.GdtBase + SegmentationMachine.SmallData);
        Assert.NotEqual(0ul, raw & (1UL << 40));
    }

    [Fact]
    public void MovFromSegmentZeroExtendsToWideRegistersAndMergesSixteen()
    {
        using var m = new SegmentationMachine().Long();
        m[GeneralRegister.Rax] = ulong.MaxValue;
        m[GeneralRegister.Rbx] = ulong.MaxValue;
        m[GeneralRegister.Rcx] = ulong.MaxValue;
        Assert.Equal(ExitReason.Halted, m.Run(a =>
        {
            a.mov(rax, cs);
            a.mov(ebx, ss);
            a.mov(cx, ds);
            a.hlt();
        }, 64));
        Assert.Equal((ulong)InterruptMachine.KernelCode64, m[GeneralRegister.Rax]);
        Assert.Equal((ulong)FlatModeSetup.DataSelector, m[GeneralRegister.Rbx]);
        Assert.Equal(0xFFFF_FFFF_FFFF_0000ul | FlatModeSetup.DataSelector, m[GeneralRegister.Rcx]);
    }

    [Theory]
    [InlineData(SegmentationMachine.ExecuteOnlyCode, Gp, SegmentationMachine.ExecuteOnlyCode)]
    [InlineData(SegmentationMachine.MissingData, ExceptionVector.SegmentNotPresent, SegmentationMachine.MissingData)]
    [InlineData(InterruptMachine.TssSelector, Gp, InterruptMachine.TssSelector)]
    [InlineData(0x1F8, Gp, 0x1F8)]
    [InlineData(0x1FB, Gp, 0x1F8)]
    public void BadDataSelectorsFaultWithTheSelector(ushort selector, byte vector, ushort error)
    {
        using var m = new SegmentationMachine().Protected();
        Assert.Equal(ExitReason.Exception, m.Run(a =>
        {
            a.mov(ax, selector);
            a.mov(es, ax);
            a.hlt();
        }));
        m.AssertFault(vector, error);
        Assert.Equal(FlatModeSetup.DataSelector, m.State.Segment(SegmentRegister.Es).Selector);
    }

    [Fact]
    public void DataDplBelowCplOrRplIsGp()
    {
        using var m = new SegmentationMachine().Protected();
        Assert.Equal(ExitReason.Exception, m.Run(a =>
        {
            a.mov(ax, InterruptMachine.KernelData | 3);
            a.mov(fs, ax);
            a.hlt();
        }));
        m.AssertFault(Gp, InterruptMachine.KernelData);
    }

    [Fact]
    public void NullSelectorLoadsDataButMakesItUnusable()
    {
        using var m = new SegmentationMachine().Protected();
        Assert.Equal(ExitReason.Exception, m.Run(a =>
        {
            a.xor(eax, eax);
            a.mov(ds, ax);

            // A far-pointer load reads through DS with the checked path.
            a.lfs(ebx, __fword_ptr[0x100]);
            a.hlt();
        }));
        m.AssertFault(Gp, 0);
        Assert.Equal(0, m.State.Segment(SegmentRegister.Ds).Selector);
    }

    [Theory]
    [InlineData(0, Gp, 0)]
    [InlineData(InterruptMachine.UserData, Gp, InterruptMachine.UserData & 0xFFFC)]
    [InlineData(SegmentationMachine.ReadOnlyData, Gp, SegmentationMachine.ReadOnlyData)]
    [InlineData(InterruptMachine.KernelData | 1, Gp, InterruptMachine.KernelData)]
    public void StackSelectorRulesInProtectedMode(ushort selector, byte vector, ushort error)
    {
        using var m = new SegmentationMachine().Protected();
        Assert.Equal(ExitReason.Exception, m.Run(a =>
        {
            a.mov(ax, selector);
            a.mov(ss, ax);
            a.hlt();
        }));
        m.AssertFault(vector, error);
    }

    [Fact]
    public void NotPresentStackIsStackFault()
    {
        using var m = new SegmentationMachine().Protected();
        m.Machine.SetDescriptor(SegmentationMachine.MissingData, InterruptMachine.Descriptor(0, 0xFFFFF, InterruptMachine.DataFlags & ~SegmentFlags.Present));
        Assert.Equal(ExitReason.Exception, m.Run(a =>
        {
            a.mov(ax, SegmentationMachine.MissingData);
            a.mov(ss, ax);
            a.hlt();
        }));
        m.AssertFault(ExceptionVector.StackFault, SegmentationMachine.MissingData);
    }

    [Fact]
    public void NullStackSelectorIsAllowedIn64BitModeAtRingZeroOnly()
    {
        using var m = new SegmentationMachine().Long();
        Assert.Equal(ExitReason.Halted, m.Run(a =>
        {
            a.xor(eax, eax);
            a.mov(ss, ax);
            a.hlt();
        }, 64));
        Assert.Equal(0, m.State.Segment(SegmentRegister.Ss).Selector);

        m.Long();
        Assert.Equal(ExitReason.Exception, m.Run(a =>
        {
            a.mov(eax, 1);
            a.mov(ss, ax);
            a.hlt();
        }, 64));
        m.AssertFault(Gp, 0);
    }

    [Fact]
    public void MovSsOpensAnInterruptShadow()
    {
        using var m = new SegmentationMachine().Protected();
        m.Machine.Emit(InterruptMachine.MainCode, a =>
        {
            a.mov(ax, InterruptMachine.KernelData);
            a.mov(ss, ax);
            a.nop();
        }, 32);
        Assert.Equal(ExitReason.InstructionLimit, m.Machine.Run(2));
        Assert.Equal(1, m.State.InterruptShadow);
    }

    [Fact]
    public void LssDoesNotOpenAnInterruptShadow()
    {
        using var m = new SegmentationMachine().Protected();
        m.Machine.Memory.Write(0x3000ul, 0x7000u);
        m.Machine.Memory.Write(0x3004ul, InterruptMachine.KernelData);
        m.Machine.Emit(InterruptMachine.MainCode, a =>
        {
            a.lss(esp, __fword_ptr[0x3000]);
            a.nop();
        }, 32);
        Assert.Equal(ExitReason.InstructionLimit, m.Machine.Run(1));
        Assert.Equal(0, m.State.InterruptShadow);
    }

    [Fact]
    public void PushAndPopSegmentRegisters()
    {
        using var m = new SegmentationMachine().Protected();
        Assert.Equal(ExitReason.Halted, m.Run(a =>
        {
            a.push(SegmentationMachine.SmallData);
            a.pop(gs);
            a.push(cs);
            a.pop(ebx);
            a.push(ss);
            a.pop(ss);
            a.mov(edx, esp);
            a.hlt();
        }));
        Assert.Equal(SegmentationMachine.SmallBase, m.State.Segment(SegmentRegister.Gs).Base);
        Assert.Equal((ulong)FlatModeSetup.CodeSelector32, m[GeneralRegister.Rbx]);
        Assert.Equal(InterruptMachine.KernelStack, m[GeneralRegister.Rdx]);
    }

    [Fact]
    public void PopOfABadSelectorLeavesTheStackPointer()
    {
        using var m = new SegmentationMachine().Protected();
        Assert.Equal(ExitReason.Exception, m.Run(a =>
        {
            a.push(SegmentationMachine.ExecuteOnlyCode);
            a.pop(ds);
            a.hlt();
        }));
        m.AssertFault(Gp, SegmentationMachine.ExecuteOnlyCode);
        Assert.Equal(InterruptMachine.KernelStack - 4, m[GeneralRegister.Rsp]);
    }

    [Fact]
    public void PushFsIn64BitModePushesEightBytes()
    {
        using var m = new SegmentationMachine().Long();
        Assert.Equal(ExitReason.Halted, m.Run(a =>
        {
            a.push(fs);
            a.mov(rbx, rsp);
            a.pop(fs);
            a.hlt();
        }, 64));
        Assert.Equal(InterruptMachine.KernelStack - 8, m[GeneralRegister.Rbx]);
    }

    [Fact]
    public void LssAndLfsLoadOffsetAndSelector()
    {
        using var m = new SegmentationMachine().Protected();
        m.Machine.Memory.Write(0x3000ul, 0x1234_5678u);
        m.Machine.Memory.Write(0x3004ul, SegmentationMachine.SmallData);
        m.Machine.Memory.Write(0x3010ul, 0x7000u);
        m.Machine.Memory.Write(0x3014ul, InterruptMachine.KernelData);
        Assert.Equal(ExitReason.Halted, m.Run(a =>
        {
            a.lfs(ebx, __fword_ptr[0x3000]);
            a.lss(esp, __fword_ptr[0x3010]);
            a.hlt();
        }));
        Assert.Equal(0x1234_5678ul, m[GeneralRegister.Rbx]);
        Assert.Equal(SegmentationMachine.SmallBase, m.State.Segment(SegmentRegister.Fs).Base);
        Assert.Equal(0x7000ul, m[GeneralRegister.Rsp]);
    }

    [Fact]
    public void RealModeLoadsKeepTheCachedLimitForUnrealMode()
    {
        using var m = new SegmentationMachine().Real();
        m.State.Segment(SegmentRegister.Ds).Limit = 0xFFFF_FFFF;
        m.Machine.Memory.Write(0x2_0010ul, 0xABCDu);
        m.Machine.Memory.Write(0x5_0000ul, 0x1357u);
        Assert.Equal(ExitReason.Halted, m.Run(a =>
        {
            a.mov(ax, 0x2000);
            a.mov(ds, ax);
            a.mov(bx, __word_ptr[0x10]);
            a.mov(ecx, 0x3_0000);
            a.mov(dx, __word_ptr[ecx]);
            a.hlt();
        }, 16));
        Assert.Equal(0x2_0000ul, m.State.Segment(SegmentRegister.Ds).Base);
        Assert.Equal(0xFFFF_FFFFu, m.State.Segment(SegmentRegister.Ds).Limit);
        Assert.Equal(0xABCDul, m[GeneralRegister.Rbx] & 0xFFFF);
        Assert.Equal(0x1357ul, m[GeneralRegister.Rdx] & 0xFFFF);
    }

    [Fact]
    public void LdtSelectorsReadTheLocalTable()
    {
        using var m = new SegmentationMachine().Protected();
        m.Machine.Memory.Write(SegmentationMachine.LdtBase + 8, InterruptMachine.Descriptor(0x4_0000, 0xFFF, InterruptMachine.DataFlags & ~SegmentFlags.Granularity));
        Assert.Equal(ExitReason.Halted, m.Run(a =>
        {
            a.mov(ax, SegmentationMachine.LdtSelector);
            a.lldt(ax);
            a.mov(ax, 0x0C);
            a.mov(es, ax);
            a.sldt(ebx);
            a.hlt();
        }));
        Assert.Equal(0x4_0000ul, m.State.Segment(SegmentRegister.Es).Base);
        Assert.Equal((ulong)SegmentationMachine.LdtSelector, m[GeneralRegister.Rbx]);
    }

    [Fact]
    public void LdtSelectorWithoutAnLdtIsGp()
    {
        using var m = new SegmentationMachine().Protected();
        Assert.Equal(ExitReason.Exception, m.Run(a =>
        {
            a.mov(ax, 0x0F);
            a.mov(es, ax);
            a.hlt();
        }));
        m.AssertFault(Gp, 0x0C);
    }
}
