using Emulator.Cpu.Tests.Interrupts;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Cpu.Tests.Segmentation;

/// <summary>
/// The generic operand, stack, string and BT paths and the fast handlers all take the checked segment
/// translation (SDM vol. 3, 5.3/5.4; real mode: vol. 3, 20.1.1 "beyond 64 KiB is #GP(0)/#SS(0)").
/// </summary>
public sealed class SegmentAccessTests
{
    private const byte Gp = ExceptionVector.GeneralProtection;
    private const byte Ss = ExceptionVector.StackFault;

    private static SegmentationMachine WithSmallDs()
    {
        var m = new SegmentationMachine().Protected();
        m.Machine.SetDescriptor(SegmentationMachine.SmallData, InterruptMachine.Descriptor(SegmentationMachine.SmallBase, 0xFFF, InterruptMachine.DataFlags & ~SegmentFlags.Granularity));
        return m;
    }

    [Theory]
    [InlineData(0xFFCu, true)]
    [InlineData(0xFFDu, false)]
    [InlineData(0x1000u, false)]
    public void MovLoadAndStoreCheckTheDataLimit(uint offset, bool ok)
    {
        using SegmentationMachine m = WithSmallDs();
        m[GeneralRegister.Rbx] = offset;
        ExitReason reason = m.Run(a =>
        {
            a.mov(ax, SegmentationMachine.SmallData);
            a.mov(ds, ax);
            a.mov(eax, __dword_ptr[ebx]);
            a.mov(__dword_ptr[ebx], ecx);
            a.hlt();
        });
        Assert.Equal(ok ? ExitReason.Halted : ExitReason.Exception, reason);
        if (!ok)
        {
            m.AssertFault(Gp, 0);
        }
    }

    [Fact]
    public void AddToMemoryBeyondTheLimitFaultsAndWritesNothing()
    {
        using SegmentationMachine m = WithSmallDs();
        m.Machine.Memory.Write(SegmentationMachine.SmallBase + 0xFFEul, 0x1111_1111u);
        m[GeneralRegister.Rax] = 5;
        Assert.Equal(ExitReason.Exception, m.Run(a =>
        {
            a.mov(bx, SegmentationMachine.SmallData);
            a.mov(ds, bx);
            a.add(__dword_ptr[0xFFE], eax);
            a.hlt();
        }));
        m.AssertFault(Gp, 0);
        Assert.Equal(0x1111_1111u, m.Machine.Memory.Read<uint>(SegmentationMachine.SmallBase + 0xFFEul));
    }

    [Fact]
    public void ReadModifyWriteOfReadOnlyDataFaultsButReadsWork()
    {
        using var m = new SegmentationMachine().Protected();
        m.Machine.Memory.Write(0x3000ul, 7u);
        Assert.Equal(ExitReason.Halted, m.Run(a =>
        {
            a.mov(ax, SegmentationMachine.ReadOnlyData);
            a.mov(es, ax);
            a.mov(ecx, __dword_ptr.es[0x3000]);
            a.hlt();
        }));
        Assert.Equal(7ul, m[GeneralRegister.Rcx]);

        m.Protected();
        Assert.Equal(ExitReason.Exception, m.Run(a =>
        {
            a.mov(ax, SegmentationMachine.ReadOnlyData);
            a.mov(es, ax);
            a.add(__dword_ptr.es[0x3000], ecx);
            a.hlt();
        }));
        m.AssertFault(Gp, 0);
        Assert.Equal(7u, m.Machine.Memory.Read<uint>(0x3000ul));
    }

    [Fact]
    public void ExpandDownRejectsOffsetsAtOrBelowTheLimitForAluOperands()
    {
        using var m = new SegmentationMachine().Protected();
        m[GeneralRegister.Rbx] = 0x800;
        Assert.Equal(ExitReason.Exception, m.Run(a =>
        {
            a.mov(ax, SegmentationMachine.ExpandDownData);
            a.mov(fs, ax);
            a.add(__dword_ptr.fs[ebx], ecx);
            a.hlt();
        }));
        m.AssertFault(Gp, 0);

        m.Protected();
        m[GeneralRegister.Rbx] = 0x2000;
        Assert.Equal(ExitReason.Halted, m.Run(a =>
        {
            a.mov(ax, SegmentationMachine.ExpandDownData);
            a.mov(fs, ax);
            a.add(__dword_ptr.fs[ebx], ecx);
            a.hlt();
        }));
    }

    [Fact]
    public void GeneralRegisterReadThroughExecuteOnlyCsIsGpZero()
    {
        using var m = new SegmentationMachine().Protected();
        m.State.Segment(SegmentRegister.Cs).Flags &= ~SegmentFlags.ReadableOrWritable;
        Assert.Equal(ExitReason.Exception, m.Run(a =>
        {
            a.mov(eax, __dword_ptr.cs[0x100]);
            a.hlt();
        }));
        m.AssertFault(Gp, 0);
    }

    [Fact]
    public void PopBeyondTheStackLimitIsStackFaultAndLeavesEsp()
    {
        using SegmentationMachine m = WithSmallDs();
        Assert.Equal(ExitReason.Exception, m.Run(a =>
        {
            a.mov(ax, SegmentationMachine.SmallData);
            a.mov(ss, ax);
            a.mov(esp, 0xFFE);
            a.pop(ebx);
            a.hlt();
        }));
        m.AssertFault(Ss, 0);
        Assert.Equal(0xFFEul, m[GeneralRegister.Rsp]);
    }

    [Fact]
    public void RepMovsStopsAtTheSourceLimitWithExactRegisters()
    {
        using SegmentationMachine m = WithSmallDs();
        m[GeneralRegister.Rsi] = 0xFF0;
        m[GeneralRegister.Rdi] = 0x5000;
        m[GeneralRegister.Rcx] = 0x20;
        Assert.Equal(ExitReason.Exception, m.Run(a =>
        {
            a.mov(ax, SegmentationMachine.SmallData);
            a.mov(ds, ax);
            a.rep.movsb();
            a.hlt();
        }));
        m.AssertFault(Gp, 0);
        Assert.Equal(0x10ul, m[GeneralRegister.Rcx]);
        Assert.Equal(0x1000ul, m[GeneralRegister.Rsi]);
        Assert.Equal(0x5010ul, m[GeneralRegister.Rdi]);
        Assert.Equal((ushort)0xA4F3, m.Machine.Memory.Read<ushort>(m.State.Rip)); // still at the REP MOVSB
    }

    [Fact]
    public void RepStosStopsAtTheEsLimitWithExactRegisters()
    {
        using SegmentationMachine m = WithSmallDs();
        m[GeneralRegister.Rdi] = 0xFF8;
        m[GeneralRegister.Rcx] = 4;
        m[GeneralRegister.Rax] = 0xAABB_CCDD;
        Assert.Equal(ExitReason.Exception, m.Run(a =>
        {
            a.mov(bx, SegmentationMachine.SmallData);
            a.mov(es, bx);
            a.rep.stosd();
            a.hlt();
        }));
        m.AssertFault(Gp, 0);
        Assert.Equal(2ul, m[GeneralRegister.Rcx]);
        Assert.Equal(0x1000ul, m[GeneralRegister.Rdi]);
        Assert.Equal(0xAABB_CCDDu, m.Machine.Memory.Read<uint>(SegmentationMachine.SmallBase + 0xFFCul));
    }

    [Fact]
    public void BitTestWithARegisterOffsetChecksTheAddressedOperand()
    {
        using SegmentationMachine m = WithSmallDs();
        m[GeneralRegister.Rcx] = 8 * 0x1000; // 0x1000 bytes past [0]: beyond the limit
        Assert.Equal(ExitReason.Exception, m.Run(a =>
        {
            a.mov(ax, SegmentationMachine.SmallData);
            a.mov(ds, ax);
            a.bts(__dword_ptr[0], ecx);
            a.hlt();
        }));
        m.AssertFault(Gp, 0);

        m.Protected();
        m[GeneralRegister.Rcx] = 8 * 0xFF8;
        Assert.Equal(ExitReason.Halted, m.Run(a =>
        {
            a.mov(ax, SegmentationMachine.SmallData);
            a.mov(ds, ax);
            a.bts(__dword_ptr[0], ecx);
            a.hlt();
        }));
        Assert.Equal(1u, m.Machine.Memory.Read<uint>(SegmentationMachine.SmallBase + 0xFF8ul) & 1);
    }

    [Fact]
    public void RealModeAddressesWrapAt64KiBButAnAccessCrossingTheLimitFaults()
    {
        using var m = new SegmentationMachine().Real();
        m.Machine.Memory.Write(0x1ul, (ushort)0x4321);
        m[GeneralRegister.Rbx] = 0xFFFF;
        m[GeneralRegister.Rsi] = 2;
        Assert.Equal(ExitReason.Halted, m.Run(a =>
        {
            a.mov(ax, __word_ptr[bx + si]); // (0xFFFF + 2) mod 64 KiB = 1
            a.hlt();
        }, 16));
        Assert.Equal(0x4321ul, m[GeneralRegister.Rax] & 0xFFFF);

        m.Real();
        Assert.Equal(ExitReason.Exception, m.Run(a =>
        {
            a.mov(ax, __word_ptr[0xFFFF]);
            a.hlt();
        }, 16));
        m.AssertFault(Gp, 0);

        m.Real();
        m[GeneralRegister.Rsp] = 1;
        Assert.Equal(ExitReason.Exception, m.Run(a =>
        {
            a.push(ax); // SP wraps to 0xFFFF, and a word there crosses the limit
            a.hlt();
        }, 16));
        m.AssertFault(Ss, 0);
        Assert.Equal(1ul, m[GeneralRegister.Rsp]);
    }

    [Fact]
    public void UnrealModeBigCachedLimitReachesBeyond64KiB()
    {
        using var m = new SegmentationMachine().Real();
        m.State.Segment(SegmentRegister.Ds).Limit = 0xFFFF_FFFF;
        m.Machine.Memory.Write(0x8_0000ul, 0xCAFE_F00Du);
        m[GeneralRegister.Rbx] = 0x8_0000;
        Assert.Equal(ExitReason.Halted, m.Run(a =>
        {
            a.mov(eax, __dword_ptr[ebx]);
            a.mov(__dword_ptr[ebx + 4], eax);
            a.hlt();
        }, 16));
        Assert.Equal(0xCAFE_F00Dul, m[GeneralRegister.Rax]);
        Assert.Equal(0xCAFE_F00Du, m.Machine.Memory.Read<uint>(0x8_0004ul));
    }

    [Fact]
    public void InstructionCrossingTheCsLimitIsGpZero()
    {
        using var m = new SegmentationMachine().Protected();
        m.State.Segment(SegmentRegister.Cs).Limit = (uint)InterruptMachine.MainCode + 2;
        Assert.Equal(ExitReason.Exception, m.Run(a =>
        {
            a.nop();
            a.nop();
            a.mov(eax, 1); // bytes MainCode+2 .. +6: crosses the limit
            a.hlt();
        }));
        m.AssertFault(Gp, 0);
        Assert.Equal(InterruptMachine.MainCode + 2, m.State.Rip);
    }

    [Fact]
    public void ABlockDecodedUnderABiggerLimitIsNotReusedPastASmallerOne()
    {
        using var m = new SegmentationMachine().Protected();
        m.Machine.Emit(InterruptMachine.MainCode, a =>
        {
            a.nop();
            a.mov(eax, 1);
            a.hlt();
        }, 32);
        Assert.Equal(ExitReason.Halted, m.Machine.Run(100));

        m.Protected();
        m.State.Segment(SegmentRegister.Cs).Limit = (uint)InterruptMachine.MainCode + 3;
        Assert.Equal(ExitReason.Exception, m.Machine.Run(100));
        m.AssertFault(Gp, 0);
        Assert.Equal(InterruptMachine.MainCode + 1, m.State.Rip);
    }

    [Fact]
    public void RealModeCodeRunningPastIp0xFFFFIsGpZero()
    {
        using var m = new SegmentationMachine().Real();
        m.Machine.Emit(0x1_FFFE, a => a.mov(ax, 0x1234), 16); // three bytes from IP 0xFFFE
        m.State.Rip = 0xFFFE;
        Assert.Equal(ExitReason.Exception, m.Machine.Run(10));
        m.AssertFault(Gp, 0);
        Assert.Equal(0xFFFEul, m.State.Rip);
    }

    [Fact]
    public void NonCanonicalRipIsGpZero()
    {
        using var m = new SegmentationMachine().Long();
        m.State.Rip = 0x0000_8000_0000_0000;
        Assert.Equal(ExitReason.Exception, m.Machine.Run(10));
        m.AssertFault(Gp, 0);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void NonCanonicalOperandIsGpOrSsByItsSegment(bool stackBased)
    {
        using var m = new SegmentationMachine().Long();
        m[GeneralRegister.Rbx] = 0xFFFF_7000_0000_0000;
        m[GeneralRegister.Rbp] = 0xFFFF_7000_0000_0000;
        Assert.Equal(ExitReason.Exception, m.Run(a =>
        {
            if (stackBased)
            {
                a.add(__qword_ptr[rbp + 8], rax);
            }
            else
            {
                a.add(__qword_ptr[rbx + 8], rax);
            }

            a.hlt();
        }, 64));
        m.AssertFault(stackBased ? Ss : Gp, 0);
    }

    [Fact]
    public void FastMovPathsCheckTheCanonicalRuleIn64BitMode()
    {
        using var m = new SegmentationMachine().Long();
        m[GeneralRegister.Rbx] = 0x0000_7FFF_FFFF_FFFC; // an 8-byte access runs off the canonical lower half
        Assert.Equal(ExitReason.Exception, m.Run(a =>
        {
            a.mov(rax, __qword_ptr[rbx]);
            a.hlt();
        }, 64));
        m.AssertFault(Gp, 0);

        m.Long();
        Assert.Equal(ExitReason.Exception, m.Run(a =>
        {
            a.mov(__qword_ptr[rbx], rax);
            a.hlt();
        }, 64));
        m.AssertFault(Gp, 0);
    }

    [Fact]
    public void ProtectedModeInterruptFrameBeyondTheStackLimitIsStackFault()
    {
        using SegmentationMachine m = WithSmallDs();
        m.State.Idtr.Limit = (256 * 8) - 1;
        m.Machine.SetGate32(0x30, 0x3_0000);
        Assert.Equal(ExitReason.Exception, m.Run(a =>
        {
            a.mov(ax, SegmentationMachine.SmallData);
            a.mov(ss, ax);
            a.mov(esp, 8); // a 12-byte frame would start below offset 0
            a.@int(0x30);
            a.hlt();
        }));
        m.AssertFault(Ss, 0);
        Assert.Equal(8ul, m[GeneralRegister.Rsp]);
    }
}
