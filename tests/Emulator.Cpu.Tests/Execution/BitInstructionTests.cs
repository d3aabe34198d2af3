using static Iced.Intel.AssemblerRegisters;
using static Emulator.Cpu.RflagsBits;

namespace Emulator.Cpu.Tests.Execution;

public sealed class BitInstructionTests
{
    [Fact]
    public void BitTestFamilyOnRegisters()
    {
        using var m = new TestMachine();
        m.RunToHalt(asm =>
        {
            asm.mov(eax, 0b1010);
            asm.bt(eax, 1);
            asm.setc(r8b);
            asm.bts(eax, 0);
            asm.btr(eax, 3);
            asm.mov(ecx, 34); // masked to 2 for a 32-bit operand
            asm.btc(eax, ecx);
            asm.setc(r9b);
        });
        Assert.Equal(1ul, m[GeneralRegister.R8] & 0xFF);
        Assert.Equal(0b0111ul, m[GeneralRegister.Rax]);
        Assert.Equal(0ul, m[GeneralRegister.R9] & 0xFF);
    }

    [Fact]
    public void BitTestWithRegisterOffsetAddressesTheBitString()
    {
        using var m = new TestMachine();
        m.RunToHalt(asm =>
        {
            asm.mov(rbx, TestMachine.DataBase + 16);
            asm.mov(rcx, 70); // qword 1 bit 6 -> byte 24
            asm.bts(__qword_ptr[rbx], rcx);
            asm.mov(rcx, -1); // the last bit of the qword before: byte 15 bit 7
            asm.bts(__qword_ptr[rbx], rcx);
            asm.mov(edx, 3);
            asm.bt(__word_ptr[rbx], 0x13); // immediate: masked to 3, the operand itself
            asm.setc(r8b);
        });
        Assert.Equal(0x40, m.Memory.Read<byte>(TestMachine.DataBase + 24));
        Assert.Equal(0x80, m.Memory.Read<byte>(TestMachine.DataBase + 15));
        Assert.Equal(0ul, m[GeneralRegister.R8] & 0xFF);
    }

    [Fact]
    public void BitScans()
    {
        using var m = new TestMachine();
        m.RunToHalt(asm =>
        {
            asm.mov(rax, 0x0000_0100_0001_0000);
            asm.bsf(rbx, rax);
            asm.bsr(rcx, rax);
            asm.mov(rdx, 1234);
            asm.xor(esi, esi);
            asm.bsf(rdx, rsi); // zero source: ZF, destination unchanged
            asm.setz(r8b);
        });
        Assert.Equal(16ul, m[GeneralRegister.Rbx]);
        Assert.Equal(40ul, m[GeneralRegister.Rcx]);
        Assert.Equal(1234ul, m[GeneralRegister.Rdx]);
        Assert.Equal(1ul, m[GeneralRegister.R8] & 0xFF);
    }

    [Fact]
    public void CountInstructions()
    {
        using var m = new TestMachine();
        m.RunToHalt(asm =>
        {
            asm.mov(eax, 0x00F0_0000);
            asm.tzcnt(ebx, eax);
            asm.lzcnt(ecx, eax);
            asm.xor(edx, edx);
            asm.lzcnt(dx, dx); // 16, CF
            asm.setc(r8b);
            asm.mov(rsi, -1);
            asm.popcnt(rdi, rsi);
        });
        Assert.Equal(20ul, m[GeneralRegister.Rbx]);
        Assert.Equal(8ul, m[GeneralRegister.Rcx]);
        Assert.Equal(16ul, m[GeneralRegister.Rdx]);
        Assert.Equal(1ul, m[GeneralRegister.R8] & 0xFF);
        Assert.Equal(64ul, m[GeneralRegister.Rdi]);
        Assert.Equal(0ul, m.StatusFlags);
    }

    [Fact]
    public void PopcntOfZeroSetsOnlyZf()
    {
        using var m = new TestMachine();
        m.RunToHalt(asm =>
        {
            asm.stc();
            asm.xor(eax, eax);
            asm.popcnt(eax, eax);
        });
        Assert.Equal(ZF, m.StatusFlags);
    }

    [Fact]
    public void Bswap()
    {
        using var m = new TestMachine();
        m.RunToHalt(asm =>
        {
            asm.mov(rax, 0x0102_0304_0506_0708);
            asm.bswap(rax);
            asm.mov(rbx, -1);
            asm.mov(ebx, 0x1122_3344);
            asm.bswap(ebx);
        });
        Assert.Equal(0x0807_0605_0403_0201ul, m[GeneralRegister.Rax]);
        Assert.Equal(0x4433_2211ul, m[GeneralRegister.Rbx]);
    }
}
