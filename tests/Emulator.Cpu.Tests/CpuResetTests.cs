using System.Runtime.InteropServices;

namespace Emulator.Cpu.Tests;

/// <summary>
/// The RESET state of Intel SDM vol. 3 table 10-1 with QEMU 7.2's choices (x86_cpu_reset for
/// -cpu qemu64); the values QEMU itself shows are also checked end to end against a real QEMU.
/// </summary>
public sealed class CpuResetTests
{
    [Fact]
    public void BootstrapProcessorStartsAtTheResetVectorInRealMode()
    {
        using var vcpu = new Vcpu();
        ref CpuState s = ref vcpu.State;
        Assert.Equal(0xFFF0UL, s.Rip);
        Assert.Equal(2UL, s.Rflags);
        Assert.Equal(0x60000010UL, s.Cr0);
        Assert.False(s.ProtectedMode);
        Assert.False(s.LongModeActive);
        Assert.Equal(0UL, s.Cr2 | s.Cr3 | s.Cr4 | s.Cr8 | s.Efer);

        ref SegmentCache cs = ref s.Segment(SegmentRegister.Cs);
        Assert.Equal((ushort)0xF000, cs.Selector);
        Assert.Equal(0xFFFF0000UL, cs.Base);
        Assert.Equal(0xFFFFu, cs.Limit);
        Assert.Equal(0x9B00u, cs.Flags);
        foreach (SegmentRegister r in new[] { SegmentRegister.Es, SegmentRegister.Ss, SegmentRegister.Ds, SegmentRegister.Fs, SegmentRegister.Gs })
        {
            Assert.Equal(new SegmentCache(0, 0, 0xFFFF, 0x9300), s.Segment(r));
        }

        Assert.Equal(new SegmentCache(0, 0, 0xFFFF, 0x8200), s.Ldtr);
        Assert.Equal(new SegmentCache(0, 0, 0xFFFF, 0x8B00), s.Tr);
        Assert.Equal(SegmentFlags.TypeLdt, s.Ldtr.Type);
        Assert.Equal(SegmentFlags.TypeBusyTss, s.Tr.Type);
        Assert.Equal((0UL, 0xFFFFu), (s.Gdtr.Base, s.Gdtr.Limit));
        Assert.Equal((0UL, 0xFFFFu), (s.Idtr.Base, s.Idtr.Limit));
        Assert.Equal(0, s.Cpl);
        Assert.Equal(0, s.Halted);
        Assert.Equal(1, s.A20Enabled);
        Assert.Equal(0, s.InterruptShadow);
    }

    [Fact]
    public void EdxHoldsTheQemu64SignatureAndOtherGprsAreZero()
    {
        using var vcpu = new Vcpu();
        for (int i = 0; i < GprFile.Count; i++)
        {
            Assert.Equal(i == (int)GeneralRegister.Rdx ? 0x00060FB1UL : 0UL, vcpu.State.Gpr[i]);
        }
    }

    [Fact]
    public void DebugFpuSseAndMsrsTakeTheirPowerOnValues()
    {
        using var vcpu = new Vcpu();
        ref CpuState s = ref vcpu.State;
        Assert.Equal(0UL, s.Dr0 | s.Dr1 | s.Dr2 | s.Dr3);
        Assert.Equal(0xFFFF0FF0UL, s.Dr6);
        Assert.Equal(0x400UL, s.Dr7);
        Assert.Equal((ushort)0x037F, s.Fcw);
        Assert.Equal((ushort)0, s.FswWithTop);
        Assert.Equal(0, s.Ftw);
        Assert.Equal(0, s.FpuTop);
        Assert.Equal(0x1F80u, s.Mxcsr);
        Assert.Equal(0x0007040600070406UL, s.Pat);
        Assert.Equal(0xFEE00900UL, s.ApicBase);
        Assert.Equal(1UL, s.MiscEnable);
        Assert.Equal(0UL, s.Star | s.Lstar | s.Cstar | s.Sfmask | s.KernelGsBase | s.SysenterCs | s.SysenterEsp | s.SysenterEip | s.TscAux);
        Assert.Equal(0UL, s.MtrrDefType);
        for (int i = 0; i < MtrrFixedFile.Count; i++)
        {
            Assert.Equal(0UL, s.MtrrFixed[i]);
        }

        for (int i = 0; i < MtrrVariableFile.Count; i++)
        {
            Assert.Equal(default, s.MtrrVariable[i]);
        }

        for (int i = 0; i < XmmFile.Count; i++)
        {
            Assert.Equal(default, s.Xmm[i]);
        }
    }

    [Fact]
    public void ApplicationProcessorStartsHaltedWithoutTheBspBit()
    {
        using var vcpu = new Vcpu(index: 1);
        Assert.False(vcpu.IsBootstrapProcessor);
        Assert.Equal(1, vcpu.State.Halted);
        Assert.Equal(0xFEE00800UL, vcpu.State.ApicBase);
        Assert.Equal(0xFFF0UL, vcpu.State.Rip);
    }

    [Fact]
    public void ResetUndoesEverythingTheGuestChanged()
    {
        using var vcpu = new Vcpu();
        CpuState fresh = vcpu.State;
        ref CpuState s = ref vcpu.State;
        s.Rip = 0x1234;
        s.Efer = EferBits.LMA | EferBits.LME;
        s.Xmm[7].High = 42;
        s.Fpr[3].SignExponent = 0x3FFF;
        s.MtrrVariable[5].Mask = 0x800;
        s.Segment(SegmentRegister.Fs).Base = 0xDEAD;
        s.Halted = 1;
        vcpu.Reset();
        Assert.Equal(Bytes(fresh), Bytes(vcpu.State));
    }

    [Fact]
    public void ApplyOverwritesGarbage()
    {
        var garbage = new CpuState { Rip = ulong.MaxValue, Cpl = 3, InterruptShadow = 1, Fsw = 0xFFFF, FpuTop = 7, Ftw = 0xFF };
        CpuReset.Apply(ref garbage, CpuModel.Qemu64, bootstrapProcessor: true);
        using var vcpu = new Vcpu();
        Assert.Equal(Bytes(vcpu.State), Bytes(garbage));
    }

    // Inline arrays have no built-in Equals; the bytes are what translated code sees anyway.
    private static byte[] Bytes(CpuState state) => MemoryMarshal.AsBytes(new ReadOnlySpan<CpuState>(in state)).ToArray();
}
