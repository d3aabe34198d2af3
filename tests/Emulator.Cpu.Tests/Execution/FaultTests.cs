using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Cpu.Tests.Execution;

public sealed class FaultTests
{
    [Theory]
    [InlineData(new byte[] { 0x06 })] // PUSH ES: invalid in 64-bit mode
    [InlineData(new byte[] { 0x0F, 0x0B })] // UD2
    [InlineData(new byte[] { 0xF0, 0x01, 0xD8 })] // LOCK ADD EAX, EBX: LOCK needs a memory destination
    [InlineData(new byte[] { 0xF0, 0x90 })] // LOCK NOP
    [InlineData(new byte[] { 0x8E, 0xC8 })] // MOV CS, AX: CS is never a MOV destination
    public void UndefinedOrUnsupportedOpcodeRaisesInvalidOpcode(byte[] code)
    {
        using var m = new TestMachine();
        m.Memory.Write(TestMachine.CodeBase, code);
        ExitReason reason = m.Interpreter.Run(10);
        Assert.Equal(ExitReason.Exception, reason);
        Assert.Equal(ExceptionVector.InvalidOpcode, m.Interpreter.LastFault.Vector);
        Assert.Equal(TestMachine.CodeBase, m.State.Rip);
        Assert.Equal(0, m.Interpreter.InstructionCount);
    }

    [Fact]
    public void ReadOutsideRamRaisesPageFaultAndChangesNothing()
    {
        using var m = new TestMachine();
        Label faulting = default;
        ExitReason reason = m.Run(asm =>
        {
            asm.mov(eax, 7);
            faulting = asm.CreateLabel();
            asm.Label(ref faulting);
            asm.add(rax, __qword_ptr[0x20_0000]);
        });
        Assert.Equal(ExitReason.Exception, reason);
        CpuFault fault = m.Interpreter.LastFault;
        Assert.Equal(ExceptionVector.PageFault, fault.Vector);
        Assert.True(fault.HasErrorCode);
        Assert.Equal(0u, fault.ErrorCode);
        Assert.Equal(0x20_0000ul, fault.Cr2);
        Assert.Equal(7ul, m[GeneralRegister.Rax]);
        Assert.Equal(m.LabelAddress(faulting), m.State.Rip);
    }

    [Fact]
    public void WriteOutsideRamReportsAWrite()
    {
        using var m = new TestMachine();
        ExitReason reason = m.Run(asm =>
        {
            asm.mov(rsp, TestMachine.RamSize + 0x1000);
            asm.push(rax);
        });
        Assert.Equal(ExitReason.Exception, reason);
        Assert.Equal(PageFaultErrorCode.Write, m.Interpreter.LastFault.ErrorCode);
        Assert.Equal(TestMachine.RamSize + 0x1000 - 8, m.Interpreter.LastFault.Cr2);
        Assert.Equal(TestMachine.RamSize + 0x1000, m[GeneralRegister.Rsp]);
    }

    [Fact]
    public void FetchOutsideRamReportsAnInstructionFetch()
    {
        using var m = new TestMachine();
        ExitReason reason = m.Run(asm =>
        {
            asm.mov(rax, 0x1_0000_0000);
            asm.jmp(rax);
        });
        Assert.Equal(ExitReason.Exception, reason);
        Assert.Equal(PageFaultErrorCode.InstructionFetch, m.Interpreter.LastFault.ErrorCode);
        Assert.Equal(0x1_0000_0000ul, m.Interpreter.LastFault.Cr2);
        Assert.Equal(0x1_0000_0000ul, m.State.Rip);
    }

    [Fact]
    public void InstructionStraddlingTheEndOfRamFaultsOnTheMissingByte()
    {
        using var m = new TestMachine();
        m.Memory.Write(TestMachine.RamSize - 2, new byte[] { 0x48, 0xB8 }); // mov rax, imm64 cut short
        m.State.Rip = TestMachine.RamSize - 2;
        Assert.Equal(ExitReason.Exception, m.Interpreter.Run(1));
        Assert.Equal(ExceptionVector.PageFault, m.Interpreter.LastFault.Vector);
        Assert.Equal(TestMachine.RamSize, m.Interpreter.LastFault.Cr2);
    }

    [Fact]
    public void HltAboveCplZeroRaisesGeneralProtection()
    {
        using var m = new TestMachine();
        m.State.Cpl = 3;
        ExitReason reason = m.Run(asm => asm.nop());
        Assert.Equal(ExitReason.Exception, reason);
        Assert.Equal(ExceptionVector.GeneralProtection, m.Interpreter.LastFault.Vector);
    }
}
