using Emulator.Cpu.Tests.Interrupts;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Cpu.Tests.Segmentation;

/// <summary>Limit, type and canonical checks of <see cref="ExecutionContext.TryApplySegment"/>, seen through instructions that use it.</summary>
public sealed class SegmentCheckTests
{
    private const byte Gp = ExceptionVector.GeneralProtection;

    [Fact]
    public void WriteToReadOnlyDataIsGpZero()
    {
        using var m = new SegmentationMachine().Protected();
        Assert.Equal(ExitReason.Exception, m.Run(a =>
        {
            a.mov(ax, SegmentationMachine.ReadOnlyData);
            a.mov(es, ax);
            a.mov(es, __word_ptr[0x100]);
            a.mov(__word_ptr.es[0x100], ds);
            a.hlt();
        }));
        m.AssertFault(Gp, 0);
    }

    [Fact]
    public void ReadThroughExecuteOnlyCodeIsGpZero()
    {
        using var m = new SegmentationMachine().Protected();
        m.State.Segment(SegmentRegister.Cs).Flags &= ~SegmentFlags.ReadableOrWritable;
        Assert.Equal(ExitReason.Exception, m.Run(a =>
        {
            a.mov(es, __word_ptr.cs[0x100]);
            a.hlt();
        }));
        m.AssertFault(Gp, 0);
    }

    [Theory]
    [InlineData(0xFFEu, true)]
    [InlineData(0xFFFu, false)]
    [InlineData(0x1000u, false)]
    public void ExpandUpLimitCoversTheLastByte(uint offset, bool ok)
    {
        using var m = new SegmentationMachine().Protected();
        ExitReason reason = m.Run(a =>
        {
            a.mov(ax, SegmentationMachine.SmallData);
            a.mov(ds, ax);
            a.mov(es, __word_ptr[offset]);
            a.hlt();
        });
        if (ok)
        {
            Assert.Equal(ExitReason.Halted, reason);
        }
        else
        {
            Assert.Equal(ExitReason.Exception, reason);
            m.AssertFault(Gp, 0);
        }
    }

    [Theory]
    [InlineData(0x800u, false)]
    [InlineData(0xFFFu, false)]
    [InlineData(0x1000u, true)]
    [InlineData(0xF_FFF0u, true)]
    [InlineData(0xFFFF_FFFFu, false)]
    public void ExpandDownValidOffsetsAreAboveTheLimit(uint offset, bool ok)
    {
        using var m = new SegmentationMachine().Protected();
        m[GeneralRegister.Rbx] = offset;
        ExitReason reason = m.Run(a =>
        {
            a.mov(ax, SegmentationMachine.ExpandDownData);
            a.mov(fs, ax);
            a.mov(__word_ptr.fs[ebx], ds);
            a.hlt();
        });
        if (ok)
        {
            Assert.Equal(ExitReason.Halted, reason);
        }
        else
        {
            Assert.Equal(ExitReason.Exception, reason);
            m.AssertFault(Gp, 0);
        }
    }

    [Fact]
    public void StackLimitViolationIsStackFaultZero()
    {
        using var m = new SegmentationMachine().Protected();
        m.Machine.SetDescriptor(SegmentationMachine.SmallData, InterruptMachine.Descriptor(SegmentationMachine.SmallBase, 0xFFF, InterruptMachine.DataFlags & ~SegmentFlags.Granularity));
        Assert.Equal(ExitReason.Exception, m.Run(a =>
        {
            a.mov(ax, SegmentationMachine.SmallData);
            a.mov(ss, ax);
            a.mov(esp, 0x2000);
            a.push(ds);
            a.hlt();
        }));
        m.AssertFault(ExceptionVector.StackFault, 0);
        Assert.Equal(0x2000ul, m[GeneralRegister.Rsp]);
    }

    [Fact]
    public void NearCallAndPushCheckTheStackLimit()
    {
        using var m = new SegmentationMachine().Protected();
        m.Machine.SetDescriptor(SegmentationMachine.SmallData, InterruptMachine.Descriptor(SegmentationMachine.SmallBase, 0xFFF, InterruptMachine.DataFlags & ~SegmentFlags.Granularity));
        Assert.Equal(ExitReason.Exception, m.Run(a =>
        {
            a.mov(ax, SegmentationMachine.SmallData);
            a.mov(ss, ax);
            a.mov(esp, 4);
            a.push(eax);
            a.push(eax);
            a.hlt();
        }));
        m.AssertFault(ExceptionVector.StackFault, 0);
        Assert.Equal(0ul, m[GeneralRegister.Rsp]);
    }

    [Fact]
    public void NonCanonicalAddressIn64BitModeIsGpOrSs()
    {
        using var m = new SegmentationMachine().Long();
        m[GeneralRegister.Rax] = 0x0000_8000_0000_0000;
        Assert.Equal(ExitReason.Exception, m.Run(a =>
        {
            a.mov(ds, __word_ptr[rax]);
            a.hlt();
        }, 64));
        m.AssertFault(Gp, 0);

        m.Long();
        m[GeneralRegister.Rsp] = 0x0000_8000_0000_0004;
        Assert.Equal(ExitReason.Exception, m.Run(a =>
        {
            a.push(fs);
            a.hlt();
        }, 64));
        m.AssertFault(ExceptionVector.StackFault, 0);
    }

    [Fact]
    public void RealModeAccessPastTheLimitIsGp()
    {
        using var m = new SegmentationMachine().Real();
        Assert.Equal(ExitReason.Exception, m.Run(a =>
        {
            a.lds(bx, __dword_ptr[0xFFFE]);
            a.hlt();
        }, 16));
        m.AssertFault(Gp, 0);
    }
}
