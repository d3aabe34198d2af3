using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Cpu.Tests.Execution;

public sealed class ControlFlowTests
{
    [Fact]
    public void LoopSumsCounter()
    {
        using var m = new TestMachine();
        m.RunToHalt(asm =>
        {
            Label top = asm.CreateLabel();
            asm.mov(ecx, 10);
            asm.xor(eax, eax);
            asm.Label(ref top);
            asm.add(eax, ecx);
            asm.loop(top);
        });
        Assert.Equal(55ul, m[GeneralRegister.Rax]);
        Assert.Equal(0ul, m[GeneralRegister.Rcx]);
        Assert.Equal(2 + 20 + 1, m.Interpreter.InstructionCount);
    }

    [Fact]
    public void ConditionalJumpsDistinguishSignedAndUnsigned()
    {
        using var m = new TestMachine();
        m.RunToHalt(asm =>
        {
            Label notBelow = asm.CreateLabel();
            Label less = asm.CreateLabel();
            asm.xor(ebx, ebx);
            asm.mov(eax, -1);
            asm.cmp(eax, 1);
            asm.jae(notBelow);
            asm.mov(ebx, 99); // skipped: 0xFFFFFFFF is above 1
            asm.Label(ref notBelow);
            asm.jl(less);
            asm.mov(ebx, 98); // skipped: -1 < 1 signed
            asm.Label(ref less);
            asm.add(ebx, 1);
        });
        Assert.Equal(1ul, m[GeneralRegister.Rbx]);
    }

    [Fact]
    public void JrcxzAndJecxz()
    {
        using var m = new TestMachine();
        m.RunToHalt(asm =>
        {
            Label skip = asm.CreateLabel();
            Label end = asm.CreateLabel();
            asm.xor(eax, eax);
            asm.mov(rcx, 0x1_0000_0000);
            asm.db(0x67, 0xE3, 0x05); // jecxz +5 (Iced's assembler refuses it in 64-bit mode): ECX = 0, taken
            asm.db(0xB8, 0x01, 0x00, 0x00, 0x00); // mov eax, 1 (skipped)
            asm.Label(ref skip);
            asm.jrcxz(end); // RCX != 0: not taken
            asm.add(eax, 2);
            asm.Label(ref end);
        });
        Assert.Equal(2ul, m[GeneralRegister.Rax]);
    }

    [Fact]
    public void CallAndReturn()
    {
        using var m = new TestMachine();
        Label after = default;
        m.RunToHalt(asm =>
        {
            Label function = asm.CreateLabel();
            Label done = asm.CreateLabel();
            after = asm.CreateLabel();
            asm.call(function);
            asm.Label(ref after);
            asm.jmp(done);
            asm.Label(ref function);
            asm.mov(rbx, __qword_ptr[rsp]);
            asm.mov(eax, 42);
            asm.ret();
            asm.Label(ref done);
        });
        Assert.Equal(42ul, m[GeneralRegister.Rax]);
        Assert.Equal(m.LabelAddress(after), m[GeneralRegister.Rbx]);
        Assert.Equal(TestMachine.StackTop, m[GeneralRegister.Rsp]);
    }

    [Fact]
    public void RetImmediateReleasesArguments()
    {
        using var m = new TestMachine();
        m.RunToHalt(asm =>
        {
            Label function = asm.CreateLabel();
            Label done = asm.CreateLabel();
            asm.push(1);
            asm.push(2);
            asm.call(function);
            asm.jmp(done);
            asm.Label(ref function);
            asm.mov(rax, __qword_ptr[rsp + 8]);
            asm.ret(16);
            asm.Label(ref done);
        });
        Assert.Equal(2ul, m[GeneralRegister.Rax]);
        Assert.Equal(TestMachine.StackTop, m[GeneralRegister.Rsp]);
    }

    [Fact]
    public void IndirectJumpAndCallThroughRegisterAndMemory()
    {
        using var m = new TestMachine();
        m.RunToHalt(asm =>
        {
            Label target = asm.CreateLabel();
            Label function = asm.CreateLabel();
            Label done = asm.CreateLabel();
            asm.lea(rax, __[target]);
            asm.jmp(rax);
            asm.mov(ebx, 1); // skipped
            asm.Label(ref target);
            asm.lea(rcx, __[function]);
            asm.mov(__qword_ptr[TestMachine.DataBase], rcx);
            asm.call(__qword_ptr[TestMachine.DataBase]);
            asm.jmp(done);
            asm.Label(ref function);
            asm.mov(edx, 7);
            asm.ret();
            asm.Label(ref done);
        });
        Assert.Equal(0ul, m[GeneralRegister.Rbx]);
        Assert.Equal(7ul, m[GeneralRegister.Rdx]);
    }

    [Fact]
    public void PushAndPop()
    {
        using var m = new TestMachine();
        m.RunToHalt(asm =>
        {
            asm.push(-2);
            asm.pop(rbx);
            asm.push(rsp);
            asm.pop(rcx);
            asm.mov(rax, 0x1122_3344_5566_7788);
            asm.push(rax);
            asm.pop(__qword_ptr[TestMachine.DataBase]);
            asm.push(ax);
            asm.pop(dx);
        });
        Assert.Equal(unchecked((ulong)-2L), m[GeneralRegister.Rbx]);
        Assert.Equal(TestMachine.StackTop, m[GeneralRegister.Rcx]);
        Assert.Equal(0x1122_3344_5566_7788ul, m.Memory.ReadU64(TestMachine.DataBase));
        Assert.Equal(0x7788ul, m[GeneralRegister.Rdx] & 0xFFFF);
        Assert.Equal(TestMachine.StackTop, m[GeneralRegister.Rsp]);
    }

    [Fact]
    public void NonCanonicalJumpRaisesGeneralProtection()
    {
        using var m = new TestMachine();
        ExitReason reason = m.Run(asm =>
        {
            asm.mov(rax, 0x8000_0000_0000_0000);
            asm.jmp(rax);
        });
        Assert.Equal(ExitReason.Exception, reason);
        Assert.Equal(ExceptionVector.GeneralProtection, m.Interpreter.LastFault.Vector);
        Assert.True(m.Interpreter.LastFault.HasErrorCode);
        Assert.Equal(0u, m.Interpreter.LastFault.ErrorCode);
    }

    [Fact]
    public void HltHaltsAndStaysHalted()
    {
        using var m = new TestMachine();
        m.RunToHalt(asm => asm.nop());
        Assert.Equal(1, m.State.Halted);
        Assert.Equal(2, m.Interpreter.InstructionCount);
        Assert.Equal(ExitReason.Halted, m.Interpreter.Run(10));
        Assert.Equal(2, m.Interpreter.InstructionCount);
    }

    [Fact]
    public void StepRunsOneInstruction()
    {
        using var m = new TestMachine();
        m.Load(asm =>
        {
            asm.mov(eax, 1);
            asm.mov(ebx, 2);
        });
        Assert.Equal(ExitReason.InstructionLimit, m.Interpreter.Step());
        Assert.Equal(1ul, m[GeneralRegister.Rax]);
        Assert.Equal(0ul, m[GeneralRegister.Rbx]);
        Assert.Equal(TestMachine.CodeBase + 5, m.State.Rip);
        Assert.Equal(ExitReason.InstructionLimit, m.Interpreter.Step());
        Assert.Equal(2ul, m[GeneralRegister.Rbx]);
        Assert.Equal(ExitReason.Halted, m.Interpreter.Step());
    }

    [Fact]
    public void RunStopsAtTheInstructionLimit()
    {
        using var m = new TestMachine();
        m.Load(asm =>
        {
            Label top = asm.CreateLabel();
            asm.Label(ref top);
            asm.inc(rax);
            asm.jmp(top);
        });
        Assert.Equal(ExitReason.InstructionLimit, m.Interpreter.Run(1001));
        Assert.Equal(501ul, m[GeneralRegister.Rax]);
        Assert.Equal(1001, m.Interpreter.InstructionCount);
    }
}
