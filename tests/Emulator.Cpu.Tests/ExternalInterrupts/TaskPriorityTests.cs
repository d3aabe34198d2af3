using Emulator.Cpu.Tests.Interrupts;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Cpu.Tests.ExternalInterrupts;

public sealed class TaskPriorityTests
{
    private sealed class FakeTaskPriority : ITaskPriorityRegister
    {
        public ulong Cr8 { get; set; }
    }

    [Fact]
    public void Cr8ReadsAndWritesGoToTheApicTpr()
    {
        using var m = new InterruptMachine();
        var tpr = new FakeTaskPriority { Cr8 = 9 };
        m.Interpreter.System.TaskPriority = tpr;
        m.Emit(InterruptMachine.MainCode, a =>
        {
            a.mov(rbx, cr8);
            a.mov(eax, 4);
            a.mov(cr8, rax);
            a.hlt();
        });
        Assert.Equal(ExitReason.Halted, m.Run());
        Assert.Equal(9ul, m[GeneralRegister.Rbx]);
        Assert.Equal(4ul, tpr.Cr8);
    }
}
