using Emulator.Cpu.Tests.Interrupts;
using Emulator.Cpu.Tests.Segmentation;
using Iced.Intel;

namespace Emulator.Cpu.Tests.Execution;

/// <summary>
/// The forms Iced's AMD decoding (<see cref="DecodedBlockCache.Decoding"/>) decodes apart from Intel's, other than
/// the 66h near branches (<see cref="NearBranch16Tests"/>): each behaves as on AMD hardware (AMD APM vol. 3), which
/// is what our CPUID (AuthenticAMD) promises.
/// </summary>
public sealed class AmdDecodingTests
{
    private const ulong Pointer = 0x3000;

    /// <summary>AMD's UD0 has no ModRM byte: 0F FF at the very end of RAM is #UD, not a fault fetching a ModRM.</summary>
    [Fact]
    public void Ud0HasNoModRm()
    {
        Assert.Equal(2, Decoder.Create(64, Convert.FromHexString("0FFFC0"), DecodedBlockCache.Decoding).Decode().Length);
        using var m = new TestMachine();
        const ulong at = TestMachine.RamSize - 2;
        m.Memory.Write(at, [0x0F, 0xFF]);
        m.State.Rip = at;
        Assert.Equal(ExitReason.Exception, m.Interpreter.Run(10));
        Assert.Equal(ExceptionVector.InvalidOpcode, m.Interpreter.LastFault.Vector);
        Assert.Equal(at, m.State.Rip);
    }

    /// <summary>
    /// AMD decodes LOCK MOV CRn as CR8 access (AltMovCr8), but only a CPU advertising CPUID 8000_0001h ECX bit 4 runs
    /// it; ours (like QEMU's qemu64) does not, so it stays #UD, as in QEMU (<c>CPUID_EXT3_CR8LEG</c> check).
    /// </summary>
    [Theory]
    [InlineData("F00F20C0")]
    [InlineData("F00F22C0")]
    [InlineData("F0480F20C0")]
    public void LockMovCrIsInvalidWithoutAltMovCr8(string hex)
    {
        Assert.Equal(0u, CpuidModel.Extended1Ecx & (1u << 4));
        byte[] bytes = Convert.FromHexString(hex);
        Instruction decoded = Decoder.Create(64, bytes, DecodedBlockCache.Decoding).Decode();
        Assert.Contains(Register.CR8, new[] { decoded.Op0Register, decoded.Op1Register });
        using var m = new TestMachine();
        m.State.Cr8 = 5;
        m[GeneralRegister.Rax] = 0;
        Assert.Equal(ExitReason.Exception, m.Run(a => a.db(bytes)));
        Assert.Equal(ExceptionVector.InvalidOpcode, m.Interpreter.LastFault.Vector);
        Assert.Equal(TestMachine.CodeBase, m.State.Rip);
        Assert.Equal(5UL, m.State.Cr8);
        Assert.Equal(0UL, m[GeneralRegister.Rax]);
    }

    /// <summary>AMD has no m16:64 far pointer: REX.W JMP FAR [mem] reads a 32-bit offset and the selector after it.</summary>
    [Fact]
    public void RexWFarJumpReadsSixteenThirtyTwoPointer()
    {
        using var m = new SegmentationMachine().Long();
        m.Machine.Memory.Write(Pointer, 0x4000u);
        m.Machine.Memory.Write(Pointer + 4, InterruptMachine.KernelCode64);
        m.Machine.Memory.Write(Pointer + 6, 0xFFFF_FFFF_FFFF_FFFFUL);
        m.Machine.Emit(0x4000, a => a.hlt());
        byte[] jmpFar = [0x48, 0xFF, 0x2C, 0x25, 0x00, 0x30, 0x00, 0x00];
        Assert.Equal(Code.Jmp_m1632, Decoder.Create(64, jmpFar, DecodedBlockCache.Decoding).Decode().Code);
        Assert.Equal(ExitReason.Halted, m.Run(a => a.db(jmpFar), 64));
        Assert.Equal(0x4001UL, m.State.Rip);
        Assert.True(m.State.In64BitMode);
    }

    /// <summary>AMD ignores REX.W on LSS/LFS/LGS: a 32-bit offset, zero-extended into the 64-bit register.</summary>
    [Fact]
    public void RexWLssLoadsAThirtyTwoBitOffset()
    {
        using var m = new SegmentationMachine().Long();
        m.Machine.Memory.Write(Pointer, 0x7000u);
        m.Machine.Memory.Write(Pointer + 4, InterruptMachine.KernelData);
        m.Machine.Memory.Write(Pointer + 6, 0xFFFF_FFFF_FFFF_FFFFUL);
        m[GeneralRegister.Rsp] = 0xFFFF_FFFF_FFFF_FFFF;
        byte[] lss = [0x48, 0x0F, 0xB2, 0x24, 0x25, 0x00, 0x30, 0x00, 0x00];
        Assert.Equal(Code.Lss_r32_m1632, Decoder.Create(64, lss, DecodedBlockCache.Decoding).Decode().Code);
        Assert.Equal(ExitReason.Halted, m.Run(a => { a.db(lss); a.hlt(); }, 64));
        Assert.Equal(0x7000UL, m[GeneralRegister.Rsp]);
        Assert.Equal(InterruptMachine.KernelData, m.State.Segment(SegmentRegister.Ss).Selector);
    }
}
