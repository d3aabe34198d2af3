using Emulator.Cpu.Tests.Interrupts;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Cpu.Tests.Segmentation;

public sealed class DescriptorQueryTests
{
    private static (bool Zf, ulong Value) Query(Action<Iced.Intel.Assembler> query, ushort selector, Action<SegmentationMachine>? setup = null)
    {
        using var m = new SegmentationMachine().Protected();
        setup?.Invoke(m);
        m[GeneralRegister.Rcx] = selector;
        m[GeneralRegister.Rax] = 0xDEAD;
        Assert.Equal(ExitReason.Halted, m.Run(a =>
        {
            query(a);
            a.hlt();
        }));
        return ((m.State.Rflags & RflagsBits.ZF) != 0, m[GeneralRegister.Rax]);
    }

    [Fact]
    public void LarReturnsAccessRightsOfAVisibleDataSegment()
    {
        (bool zf, ulong value) = Query(a => a.lar(eax, ecx), InterruptMachine.KernelData);
        Assert.True(zf);
        Assert.Equal((ulong)(InterruptMachine.DataFlags & 0x00F0_FF00), value);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(InterruptMachine.KernelData | 3)]
    [InlineData(0x1F8)]
    public void LarClearsZfForNullRplAboveDplOrOutsideTheTable(ushort selector)
    {
        (bool zf, ulong value) = Query(a => a.lar(eax, ecx), selector);
        Assert.False(zf);
        Assert.Equal(0xDEADul, value);
    }

    [Fact]
    public void LslScalesTheLimitAndRejectsGates()
    {
        (bool zf, ulong value) = Query(a => a.lsl(eax, ecx), SegmentationMachine.SmallData);
        Assert.True(zf);
        Assert.Equal(0xFFFul, value);

        static void Gate(SegmentationMachine m) => m.Machine.SetDescriptor(SegmentationMachine.Gate, 0x0000_EC00_0010_0000);
        Assert.True(Query(a => a.lar(eax, ecx), SegmentationMachine.Gate, Gate).Zf);
        Assert.False(Query(a => a.lsl(eax, ecx), SegmentationMachine.Gate, Gate).Zf);
    }

    [Theory]
    [InlineData(SegmentationMachine.ExecuteOnlyCode, false, false)]
    [InlineData(InterruptMachine.KernelCode32, true, false)]
    [InlineData(SegmentationMachine.ReadOnlyData, true, false)]
    [InlineData(InterruptMachine.KernelData, true, true)]
    [InlineData(SegmentationMachine.ConformingCode | 3, true, false)]
    [InlineData(InterruptMachine.TssSelector, false, false)]
    public void VerrAndVerwFollowTheTypeTable(ushort selector, bool readable, bool writable)
    {
        Assert.Equal(readable, Query(a => a.verr(cx), selector).Zf);
        Assert.Equal(writable, Query(a => a.verw(cx), selector).Zf);
    }

    [Fact]
    public void ArplRaisesTheRplOnlyWhenLower()
    {
        using var m = new SegmentationMachine().Protected();
        m[GeneralRegister.Rax] = 0xFFFF_0010;
        m[GeneralRegister.Rbx] = 3;
        Assert.Equal(ExitReason.Halted, m.Run(a =>
        {
            a.arpl(ax, bx);
            a.setz(dl);
            a.arpl(ax, bx);
            a.setz(dh);
            a.hlt();
        }));
        Assert.Equal(0xFFFF_0013ul, m[GeneralRegister.Rax]);
        Assert.Equal(0x0001ul, m[GeneralRegister.Rdx] & 0xFFFF);
    }
}
