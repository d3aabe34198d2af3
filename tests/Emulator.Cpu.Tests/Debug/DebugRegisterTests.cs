using Emulator.Cpu.Tests.Interrupts;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Cpu.Tests.Debug;

public sealed class DebugRegisterTests
{
    private const ulong Main = InterruptMachine.MainCode;

    [Fact]
    public void GeneralDetectFaultsOnMovDrWithBdAndClearsGd()
    {
        using var m = new DebugMachine();
        ulong afterRead = m.Emit(Main, a => a.mov(rax, dr0));
        ulong afterSecond = m.Emit(afterRead, a => a.mov(rcx, dr7));
        m.Emit(afterSecond, a => a.hlt());
        m.State.Dr0 = 0x77;
        m.State.Dr7 = 0x400 | DebugExceptions.Dr7GD;

        Assert.Equal(ExitReason.Halted, m.Run());
        Assert.Equal(1, m.Count);
        Assert.Equal(Main, m.Rip(0));
        Assert.Equal(DebugExceptions.Dr6Fixed1 | DebugExceptions.Dr6BD, m.Dr6(0));
        Assert.Equal(0x77ul, m.Machine[GeneralRegister.Rax]);
        Assert.Equal(0x400ul, m.Machine[GeneralRegister.Rcx]);
    }

    [Fact]
    public void GeneralDetectComesAfterThePrivilegeCheck()
    {
        using var m = new DebugMachine();
        m.Machine.Interpreter.DeliverExceptions = false;
        m.Emit(Main, a => a.mov(rax, dr0));
        m.Machine.EnterUser64(Main, InterruptMachine.KernelStack);
        m.State.Dr7 = 0x400 | DebugExceptions.Dr7GD;

        Assert.Equal(ExitReason.Exception, m.Run());
        Assert.Equal(ExceptionVector.GeneralProtection, m.Machine.Interpreter.LastFault.Vector);
        Assert.NotEqual(0ul, m.State.Dr7 & DebugExceptions.Dr7GD);
    }

    [Fact]
    public void Dr6ReadsReservedOnesAndDr4Dr5AliasDr6Dr7()
    {
        using var m = new DebugMachine();
        ulong end = m.Emit(Main, a =>
        {
            a.xor(eax, eax);
            a.mov(dr6, rax);
            a.mov(rbx, dr6);
            a.mov(eax, 0x3);
            a.mov(dr5, rax);
            a.mov(rcx, dr7);
            a.mov(rdx, dr4);
        });
        m.Emit(end, a => a.hlt());

        Assert.Equal(ExitReason.Halted, m.Run());
        Assert.Equal(DebugExceptions.Dr6Fixed1, m.Machine[GeneralRegister.Rbx]);
        Assert.Equal(0x403ul, m.Machine[GeneralRegister.Rcx]);
        Assert.Equal(DebugExceptions.Dr6Fixed1, m.Machine[GeneralRegister.Rdx]);
    }

    [Theory]
    [InlineData(0x400ul, 0x0ul, 0x1000ul, 1ul, false)]
    [InlineData(0x401ul | (1ul << 16), 0x1000ul, 0x1000ul, 1ul, true)]
    [InlineData(0x401ul | (3ul << 16) | (1ul << 18), 0x1001ul, 0x1001ul, 1ul, true)]
    [InlineData(0x401ul | (3ul << 16) | (1ul << 18), 0x1001ul, 0x1002ul, 1ul, false)]
    [InlineData(0x401ul | (3ul << 16) | (3ul << 18), 0x1003ul, 0x0FFFul, 2ul, true)]
    [InlineData(0x401ul | (3ul << 16) | (3ul << 18), 0x1003ul, 0x0FFEul, 2ul, false)]
    [InlineData(0x401ul | (2ul << 16), 0x1000ul, 0x1000ul, 1ul, false)]
    public void DataHitsFollowLengthAndAlignment(ulong dr7, ulong dr0, ulong linear, ulong size, bool hit)
    {
        var state = new CpuState { Dr7 = dr7, Dr0 = dr0 };
        Assert.Equal(hit ? 1ul : 0ul, DebugExceptions.DataHits(state, linear, size, write: true));
    }

    [Fact]
    public void RandomBreakpointLayoutsNeverThrowAndOnlyReportEnabledBreakpoints()
    {
        var random = new Random(1234);
        for (int i = 0; i < 2000; i++)
        {
            var state = new CpuState
            {
                Dr0 = (ulong)random.NextInt64(),
                Dr1 = (ulong)random.NextInt64(),
                Dr2 = 0xFFFF_FFFF_FFFF_FFFF,
                Dr3 = (ulong)random.Next(16),
                Dr7 = (ulong)random.NextInt64(),
            };
            ulong linear = (ulong)random.Next(16);
            ulong hits = DebugExceptions.DataHits(state, linear, (ulong)random.Next(1, 9), random.Next(2) == 0)
                | DebugExceptions.InstructionHits(state, linear);
            for (int n = 0; n < 4; n++)
            {
                if ((hits & (1ul << n)) != 0)
                {
                    Assert.True(DebugExceptions.IsEnabled(state.Dr7, n));
                }
            }
        }
    }
}
