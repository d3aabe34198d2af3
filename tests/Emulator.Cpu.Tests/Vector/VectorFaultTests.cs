using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Cpu.Tests.Vector;

/// <summary>Availability (#UD/#NM), alignment and MXCSR (#GP) faults, and the MMX/x87 state the vector handlers leave.</summary>
public sealed class VectorFaultTests : IDisposable
{
    private readonly VectorInterpreterRunner _runner = new();

    public void Dispose() => _runner.Dispose();

    private static byte[] Assemble(Action<Assembler> emit)
    {
        var a = new Assembler(64);
        emit(a);
        using var stream = new MemoryStream();
        a.Assemble(new StreamCodeWriter(stream), VectorInterpreterRunner.CodeAddress);
        return stream.ToArray();
    }

    /// <summary>Runs one instruction after <paramref name="setup"/>; the fault vector, or -1 when it completed.</summary>
    private int Run(Action<Assembler> emit, Action<VectorInterpreterRunner>? setup = null, byte[]? memory = null)
    {
        var state = new VectorState { Mxcsr = 0x1F80 };
        state.XmmLow(1) = 0x1111;
        var testCase = new VectorCase(Assemble(emit), state, memory ?? new byte[VectorCase.MemorySize], "fault test");
        _runner.Load(testCase);
        setup?.Invoke(_runner);
        ExitReason reason = _runner.Interpreter.Run(8);
        return reason == ExitReason.Exception ? _runner.Interpreter.LastFault.Vector : reason == ExitReason.Halted ? -1 : -2;
    }

    [Fact]
    public void AlignedFormsFaultOnMisalignedOperandsAndLeaveTheDestination()
    {
        Assert.Equal(ExceptionVector.GeneralProtection, Run(a => a.movaps(xmm1, __xmmword_ptr[r15 + 1])));
        Assert.Equal(0x1111UL, _runner.State.Xmm[1].Low);
        Assert.Equal(ExceptionVector.GeneralProtection, Run(a => a.paddb(xmm1, __xmmword_ptr[r15 + 8])));
        Assert.Equal(ExceptionVector.GeneralProtection, Run(a => a.movntdq(__xmmword_ptr[r15 + 4], xmm1)));
        Assert.Equal(-1, Run(a => a.movups(xmm1, __xmmword_ptr[r15 + 1])));
        Assert.Equal(-1, Run(a => a.lddqu(xmm1, __xmmword_ptr[r15 + 3])));
        Assert.Equal(-1, Run(a => a.movq(xmm1, __qword_ptr[r15 + 3])));
        Assert.Equal(-1, Run(a => a.paddb(xmm1, __xmmword_ptr[r15 + 16])));
    }

    [Fact]
    public void MxcsrMaskFollowsTheCpuidModelNotTheHost()
    {
        const uint misAlignSse = 1U << 7; // CPUID 8000_0001h ECX: AMD's misaligned-SSE mode
        Assert.Equal(0U, CpuidModel.Extended1Ecx & misAlignSse);
        Assert.Equal(0xFFFFU, VectorAccess.MxcsrMask);
    }

    [Fact]
    public void MisalignedOperandsOfAlignedFormsAlwaysFaultAsOnQemu()
    {
        // No MXCSR.MM: bit 17 is reserved (LDMXCSR would #GP), so nothing relaxes the alignment rule.
        Assert.Equal(ExceptionVector.GeneralProtection, Run(a => a.paddb(xmm1, __xmmword_ptr[r15 + 8])));
        Assert.Equal(ExceptionVector.GeneralProtection, Run(a => a.pshufd(xmm1, __xmmword_ptr[r15 + 8], 3)));
        Assert.Equal(ExceptionVector.GeneralProtection, Run(a => a.movdqa(xmm1, __xmmword_ptr[r15 + 8])));
        Assert.Equal(ExceptionVector.GeneralProtection, Run(a => a.movntps(__xmmword_ptr[r15 + 8], xmm1)));
        Assert.Equal(ExceptionVector.GeneralProtection, Run(a => a.fxsave(__[r15 + 8])));
        Assert.Equal(-1, Run(a => a.movdqu(xmm1, __xmmword_ptr[r15 + 8])));
    }

    [Fact]
    public void DeviceAvailabilityFollowsCr0AndCr4()
    {
        Action<VectorInterpreterRunner> em = r => r.State.Cr0 |= Cr0Bits.EM;
        Action<VectorInterpreterRunner> ts = r => r.State.Cr0 |= Cr0Bits.TS;
        Action<VectorInterpreterRunner> noFxsr = r => r.State.Cr4 &= ~Cr4Bits.OSFXSR;
        Assert.Equal(ExceptionVector.InvalidOpcode, Run(a => a.pxor(xmm1, xmm2), em));
        Assert.Equal(ExceptionVector.InvalidOpcode, Run(a => a.pxor(mm1, mm2), em));
        Assert.Equal(ExceptionVector.DeviceNotAvailable, Run(a => a.pxor(xmm1, xmm2), ts));
        Assert.Equal(ExceptionVector.DeviceNotAvailable, Run(a => a.pxor(mm1, mm2), ts));
        Assert.Equal(ExceptionVector.InvalidOpcode, Run(a => a.pxor(xmm1, xmm2), noFxsr));
        Assert.Equal(-1, Run(a => a.pxor(mm1, mm2), noFxsr));
        Assert.Equal(ExceptionVector.InvalidOpcode, Run(a => a.ldmxcsr(__dword_ptr[r15]), noFxsr));
        Assert.Equal(ExceptionVector.InvalidOpcode, Run(a => a.emms(), em));
        Assert.Equal(ExceptionVector.DeviceNotAvailable, Run(a => a.fxsave(__[r15]), em));
        Assert.Equal(ExceptionVector.DeviceNotAvailable, Run(a => a.fxrstor64(__[r15]), ts));
    }

    [Fact]
    public void VexFormsAreUndefined()
    {
        Assert.Equal(ExceptionVector.InvalidOpcode, Run(a => a.vpxor(xmm1, xmm2, xmm3)));
        Assert.Equal(ExceptionVector.InvalidOpcode, Run(a => a.vmovdqa(xmm1, xmm2)));
    }

    [Fact]
    public void MxcsrReservedBitsRaiseGeneralProtection()
    {
        byte[] memory = new byte[VectorCase.MemorySize];
        BitConverter.GetBytes(0x1F80U | (1U << 16)).CopyTo(memory, 0);
        BitConverter.GetBytes(0x1F80U | (1U << 17)).CopyTo(memory, 4);
        Assert.Equal(ExceptionVector.GeneralProtection, Run(a => a.ldmxcsr(__dword_ptr[r15]), memory: memory));
        Assert.Equal(0x1F80U, _runner.State.Mxcsr);
        Assert.Equal(ExceptionVector.GeneralProtection, Run(a => a.ldmxcsr(__dword_ptr[r15 + 4]), memory: memory));
        Assert.Equal(0x1F80U, _runner.State.Mxcsr);

        byte[] image = new byte[VectorCase.MemorySize];
        BitConverter.GetBytes(0x1F80U | (1U << 20)).CopyTo(image, 24);
        Assert.Equal(ExceptionVector.GeneralProtection, Run(a => a.fxrstor64(__[r15]), memory: image));
        Assert.Equal(ExceptionVector.GeneralProtection, Run(a => a.fxrstor(__[r15]), memory: image));
        BitConverter.GetBytes(0x1F80U | (1U << 17)).CopyTo(image, 24);
        Assert.Equal(ExceptionVector.GeneralProtection, Run(a => a.fxrstor64(__[r15]), memory: image));
        BitConverter.GetBytes(0xFFFFU).CopyTo(image, 24);
        Assert.Equal(-1, Run(a => a.fxrstor64(__[r15]), memory: image));
        Assert.Equal(0xFFFFU, _runner.State.Mxcsr);
    }

    [Fact]
    public void MmxInstructionsTagEveryRegisterValidAndEmmsEmptiesThem()
    {
        Assert.Equal(-1, Run(a => a.paddb(mm3, mm4), r =>
        {
            r.State.FpuTop = 5;
            r.State.Ftw = 0x01;
            r.State.Fpr[3].SignExponent = 0x1234;
        }));
        Assert.Equal(0, _runner.State.FpuTop);
        Assert.Equal(0xFF, _runner.State.Ftw);
        Assert.Equal(0xFFFF, _runner.State.Fpr[3].SignExponent);

        Assert.Equal(-1, Run(a => a.emms(), r => r.State.FpuTop = 5));
        Assert.Equal(0, _runner.State.Ftw);
        Assert.Equal(5, _runner.State.FpuTop);

        Assert.Equal(-1, Run(a => a.pxor(xmm1, xmm2), r => r.State.Ftw = 0x0F));
        Assert.Equal(0x0F, _runner.State.Ftw);
    }

    [Fact]
    public void FxsaveImageRoundTripsInStackOrder()
    {
        var state = new CpuState { Fcw = 0x27F, Fsw = 0x81, FpuTop = 3, Ftw = 0x8C, Fop = 0x7FF, Fip = 0x1234_5678_9ABC, Fdp = 0xFEDC_BA98, Fcs = 0x10, Fds = 0x18, Mxcsr = 0x9FC0 };
        for (int i = 0; i < 8; i++)
        {
            state.Fpr[i].Significand = 0x8000_0000_0000_0000UL + (uint)i;
            state.Fpr[i].SignExponent = (ushort)(0x3FFF + i);
        }

        for (int i = 0; i < 16; i++)
        {
            state.Xmm[i].Low = (ulong)i;
            state.Xmm[i].High = ~(ulong)i;
        }

        byte[] image = new byte[FxsaveImage.Size];
        FxsaveImage.Save(state, image, wide: true, xmmCount: 16);
        Assert.Equal(0x1881, BitConverter.ToUInt16(image, 2));
        Assert.Equal(0x8000_0000_0000_0003UL, BitConverter.ToUInt64(image, 32));
        Assert.Equal(0x3FFF + 2, BitConverter.ToUInt16(image, 40 + (16 * 7)));
        Assert.Equal(0xFFFFU, BitConverter.ToUInt32(image, 28));
        Assert.Equal(~15UL, BitConverter.ToUInt64(image, 168 + (16 * 15)));

        var loaded = new CpuState();
        FxsaveImage.Load(ref loaded, image, wide: true, xmmCount: 16, loadSse: true);
        byte[] again = new byte[FxsaveImage.Size];
        FxsaveImage.Save(loaded, again, wide: true, xmmCount: 16);
        Assert.Equal(image, again);
        Assert.Equal(state.Fpr[5].SignExponent, loaded.Fpr[5].SignExponent);

        FxsaveImage.Save(state, image, wide: false, xmmCount: 16);
        Assert.Equal(0x5678_9ABCU, BitConverter.ToUInt32(image, 8));
        Assert.Equal(0x10, BitConverter.ToUInt16(image, 12));
        Assert.Equal(0x18, BitConverter.ToUInt16(image, 20));
    }
    [Fact]
    public void UnmaskedExceptionsRaiseXmOrUdAndLeaveTheDestination()
    {
        // DIVSS by zero with ZM clear: #XM with CR4.OSXMMEXCPT, else #UD; ZE is set, XMM1 keeps its value.
        Action<VectorInterpreterRunner> unmaskZero = r => r.State.Mxcsr = 0x1F80 & ~(MxcsrBits.DivideByZero << MxcsrBits.MaskShift);
        Assert.Equal(ExceptionVector.SimdFloatingPoint, Run(a => a.divss(xmm1, xmm2), unmaskZero));
        Assert.Equal(0x1111UL, _runner.State.Xmm[1].Low);
        Assert.NotEqual(0U, _runner.State.Mxcsr & MxcsrBits.DivideByZero);
        Assert.Equal(ExceptionVector.InvalidOpcode, Run(a => a.divss(xmm1, xmm2), r =>
        {
            unmaskZero(r);
            r.State.Cr4 &= ~Cr4Bits.OSXMMEXCPT;
        }));

        // Masked, the same division completes with infinity.
        Assert.Equal(-1, Run(a => a.divss(xmm1, xmm2)));
        Assert.Equal(0x7F80_0000UL, _runner.State.Xmm[1].Low & 0xFFFF_FFFF);
        Assert.Equal(0x1F84U, _runner.State.Mxcsr);
    }
    [Fact]
    public void UnmaskedUnderflowTrapsOnAnExactTinyResultAndPreComputationFaultsRecordNoPrecision()
    {
        // 2^-126 * 0.5 is an exact denormal: no flag while UM is masked, #XM with UE once it is not.
        Action<VectorInterpreterRunner> operands = r =>
        {
            r.State.Xmm[1].Low = 0x0080_0000;
            r.State.Xmm[2].Low = 0x3F00_0000;
        };
        Assert.Equal(-1, Run(a => a.mulss(xmm1, xmm2), operands));
        Assert.Equal(0x0040_0000UL, _runner.State.Xmm[1].Low);
        Assert.Equal(0x1F80U, _runner.State.Mxcsr);
        Assert.Equal(ExceptionVector.SimdFloatingPoint, Run(a => a.mulss(xmm1, xmm2), r =>
        {
            operands(r);
            r.State.Mxcsr = 0x1F80 & ~(MxcsrBits.Underflow << MxcsrBits.MaskShift);
        }));
        Assert.Equal(0x0080_0000UL, _runner.State.Xmm[1].Low);
        Assert.NotEqual(0U, _runner.State.Mxcsr & MxcsrBits.Underflow);

        // ADDPS with an unmasked invalid lane (inf - inf) and an inexact lane: IE recorded, PE not.
        Assert.Equal(ExceptionVector.SimdFloatingPoint, Run(a => a.addps(xmm1, xmm2), r =>
        {
            r.State.Xmm[1].Low = 0x3F80_0000_7F80_0000;
            r.State.Xmm[2].Low = 0x3380_0001_FF80_0000;
            r.State.Mxcsr = 0x1F80 & ~(MxcsrBits.Invalid << MxcsrBits.MaskShift);
        }));
        Assert.Equal(MxcsrBits.Invalid, _runner.State.Mxcsr & MxcsrBits.Flags);
    }
}
