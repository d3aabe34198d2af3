using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;
using static Emulator.Cpu.RflagsBits;

namespace Emulator.Cpu.Tests.Execution;

public sealed class DataTransferTests
{
    [Fact]
    public void MemoryOperandsUseBaseIndexScaleDisplacement()
    {
        using var m = new TestMachine();
        m.RunToHalt(asm =>
        {
            asm.mov(rbx, TestMachine.DataBase);
            asm.mov(ecx, 3);
            asm.mov(rax, 0x0102_0304_0506_0708);
            asm.mov(__qword_ptr[rbx + rcx * 8 + 16], rax);
            asm.mov(dl, __byte_ptr[rbx + 40 + 1]);
            asm.add(__dword_ptr[rbx + 40], 0x10);
            asm.mov(esi, __dword_ptr[rbx + 40]);
        });
        Assert.Equal(0x0102_0304_0506_0718ul, m.Memory.ReadU64(TestMachine.DataBase + 40));
        Assert.Equal(0x07ul, m[GeneralRegister.Rdx] & 0xFF);
        Assert.Equal(0x0506_0718ul, m[GeneralRegister.Rsi]);
    }

    [Fact]
    public void RipRelativeAndFsRelativeAddressing()
    {
        using var m = new TestMachine();
        m.State.Segment(SegmentRegister.Fs).Base = TestMachine.DataBase;
        m.Memory.Write<ulong>(TestMachine.DataBase + 8, 0xFEED_F00D);
        m.RunToHalt(asm =>
        {
            Label data = asm.CreateLabel();
            Label code = asm.CreateLabel();
            asm.jmp(code);
            asm.Label(ref data);
            asm.db(0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88);
            asm.Label(ref code);
            asm.mov(rax, __qword_ptr[data]);
            asm.db(0x64, 0x48, 0x8B, 0x1C, 0x25, 0x08, 0x00, 0x00, 0x00); // mov rbx, fs:[8]
            asm.lea(rcx, __[data]);
        });
        Assert.Equal(0x8877_6655_4433_2211ul, m[GeneralRegister.Rax]);
        Assert.Equal(0xFEED_F00Dul, m[GeneralRegister.Rbx]);
        Assert.Equal(TestMachine.CodeBase + 2, m[GeneralRegister.Rcx]);
    }

    [Fact]
    public void LeaComputesWithoutMemoryAndTruncates()
    {
        using var m = new TestMachine();
        m[GeneralRegister.Rbx] = 0xFFFF_FFFF_0000_0010;
        m[GeneralRegister.Rsi] = 4;
        m.RunToHalt(asm =>
        {
            asm.lea(rax, __[rbx + rsi * 4 - 1]);
            asm.lea(ecx, __[rbx + rsi * 2]);
        });
        Assert.Equal(0xFFFF_FFFF_0000_001Ful, m[GeneralRegister.Rax]);
        Assert.Equal(0x18ul, m[GeneralRegister.Rcx]);
    }

    [Fact]
    public void ZeroAndSignExtension()
    {
        using var m = new TestMachine();
        m.RunToHalt(asm =>
        {
            asm.mov(ecx, 0x80);
            asm.mov(rax, -1);
            asm.movzx(eax, cl);
            asm.movsx(rbx, cl);
            asm.movsx(dx, cl);
            asm.mov(esi, 0x8000_0000);
            asm.movsxd(rdi, esi);
            asm.mov(r8, -1);
            asm.movzx(r8w, cl);
        });
        Assert.Equal(0x80ul, m[GeneralRegister.Rax]);
        Assert.Equal(0xFFFF_FFFF_FFFF_FF80ul, m[GeneralRegister.Rbx]);
        Assert.Equal(0xFF80ul, m[GeneralRegister.Rdx] & 0xFFFF);
        Assert.Equal(0xFFFF_FFFF_8000_0000ul, m[GeneralRegister.Rdi]);
        Assert.Equal(0xFFFF_FFFF_FFFF_0080ul, m[GeneralRegister.R8]);
    }

    [Fact]
    public void AccumulatorConversions()
    {
        using var m = new TestMachine();
        m.RunToHalt(asm =>
        {
            asm.mov(rax, -1);
            asm.mov(al, 0x80);
            asm.cbw(); // ax = 0xFF80
            asm.mov(r8, rax);
            asm.mov(eax, 0x8000);
            asm.cwde(); // eax = 0xFFFF8000
            asm.mov(r9, rax);
            asm.cdqe();
            asm.mov(r10, rax);
            asm.cqo();
            asm.mov(eax, 1);
            asm.cdq(); // edx = 0
            asm.mov(ax, 0x8000);
            asm.cwd(); // dx = 0xFFFF
        });
        Assert.Equal(0xFFFF_FFFF_FFFF_FF80ul, m[GeneralRegister.R8]);
        Assert.Equal(0xFFFF_8000ul, m[GeneralRegister.R9]);
        Assert.Equal(0xFFFF_FFFF_FFFF_8000ul, m[GeneralRegister.R10]);
        Assert.Equal(0xFFFFul, m[GeneralRegister.Rdx]);
    }

    [Fact]
    public void CmovAndSetcc()
    {
        using var m = new TestMachine();
        m.RunToHalt(asm =>
        {
            asm.mov(rax, -1);
            asm.mov(ebx, 5);
            asm.cmp(ebx, 5);
            asm.cmovne(eax, ebx); // false, but the 32-bit destination is zero-extended
            asm.mov(rcx, -1);
            asm.cmove(rcx, rbx);
            asm.sete(dl);
            asm.setl(__byte_ptr[TestMachine.DataBase]);
            asm.setae(sil);
        });
        Assert.Equal(0xFFFF_FFFFul, m[GeneralRegister.Rax]);
        Assert.Equal(5ul, m[GeneralRegister.Rcx]);
        Assert.Equal(1ul, m[GeneralRegister.Rdx] & 0xFF);
        Assert.Equal(0, m.Memory.Read<byte>(TestMachine.DataBase));
        Assert.Equal(1ul, m[GeneralRegister.Rsi] & 0xFF);
    }

    [Fact]
    public void XchgXaddCmpxchg()
    {
        using var m = new TestMachine();
        m.RunToHalt(asm =>
        {
            asm.mov(eax, 1);
            asm.mov(ebx, 2);
            asm.xchg(rax, rbx);
            asm.mov(__qword_ptr[TestMachine.DataBase], 10);
            asm.mov(ecx, 5);
            asm.@lock.xadd(__qword_ptr[TestMachine.DataBase], rcx); // mem = 15, rcx = 10
            asm.mov(eax, 15);
            asm.mov(edx, 99);
            asm.@lock.cmpxchg(__qword_ptr[TestMachine.DataBase], rdx); // equal: mem = 99, ZF
            asm.setz(r8b);
            asm.cmpxchg(__qword_ptr[TestMachine.DataBase], rdx); // rax 15 != 99: rax = 99, ZF clear
            asm.setz(r9b);
        });
        Assert.Equal(1ul, m[GeneralRegister.Rbx]);
        Assert.Equal(10ul, m[GeneralRegister.Rcx]);
        Assert.Equal(99ul, m.Memory.ReadU64(TestMachine.DataBase));
        Assert.Equal(99ul, m[GeneralRegister.Rax]);
        Assert.Equal(1ul, m[GeneralRegister.R8] & 0xFF);
        Assert.Equal(0ul, m[GeneralRegister.R9] & 0xFF);
        Assert.Equal(CF | PF | SF, m.StatusFlags & (CF | PF | SF | AF | ZF));
    }

    [Fact]
    public void FlagInstructions()
    {
        using var m = new TestMachine();
        m.RunToHalt(asm =>
        {
            asm.stc();
            asm.cmc();
            asm.cmc();
            asm.std();
        });
        Assert.Equal(CF | DF | Fixed1, m.State.Rflags);
        m.State.Halted = 0;
        m.State.Rip = TestMachine.CodeBase;
        m.RunToHalt(asm =>
        {
            asm.clc();
            asm.cld();
        });
        Assert.Equal(Fixed1, m.State.Rflags);
    }
}
