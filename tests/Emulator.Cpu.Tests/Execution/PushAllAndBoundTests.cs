namespace Emulator.Cpu.Tests.Execution;

/// <summary>PUSHA/POPA and BOUND in 32-bit protected mode (SDM vol. 2; the QEMU-differential test kernels use both).</summary>
public sealed class PushAllAndBoundTests
{
    private const byte Pushad = 0x60;
    private const byte Popad = 0x61;
    private const byte Hlt = 0xF4;

    private static TestMachine Start(params byte[] code)
    {
        var m = new TestMachine();
        FlatModeSetup.Protected32(ref m.State, TestMachine.CodeBase, TestMachine.StackTop);
        m.Memory.Write(TestMachine.CodeBase, [.. code, Hlt]);
        ulong value = 0x1111_1111;
        foreach (GeneralRegister r in new[] { GeneralRegister.Rax, GeneralRegister.Rcx, GeneralRegister.Rdx, GeneralRegister.Rbx, GeneralRegister.Rbp, GeneralRegister.Rsi, GeneralRegister.Rdi })
        {
            m[r] = value;
            value += 0x1111_1111;
        }

        return m;
    }

    [Fact]
    public void PushadStoresEdiLowestAndTheOriginalEsp()
    {
        // PUSHAD; POP EAX (EDI); POP EBX (ESI); POP ECX (EBP); POP EDX (the ESP before PUSHAD).
        using TestMachine m = Start(Pushad, 0x58, 0x5B, 0x59, 0x5A);
        ulong edi = m[GeneralRegister.Rdi];
        ulong esi = m[GeneralRegister.Rsi];
        ulong ebp = m[GeneralRegister.Rbp];
        Assert.Equal(ExitReason.Halted, m.Interpreter.Run(10));
        Assert.Equal(edi, m[GeneralRegister.Rax]);
        Assert.Equal(esi, m[GeneralRegister.Rbx]);
        Assert.Equal(ebp, m[GeneralRegister.Rcx]);
        Assert.Equal(TestMachine.StackTop, m[GeneralRegister.Rdx]);
        Assert.Equal(TestMachine.StackTop - 16, m[GeneralRegister.Rsp]);
    }

    [Fact]
    public void PopadRestoresEverythingButSkipsTheStoredEsp()
    {
        // PUSHAD; XOR EAX,EAX; XOR ESI,ESI; MOV [ESP+12],0 (the stored ESP); POPAD.
        using TestMachine m = Start(Pushad, 0x31, 0xC0, 0x31, 0xF6, 0xC7, 0x44, 0x24, 0x0C, 0, 0, 0, 0, Popad);
        ulong eax = m[GeneralRegister.Rax];
        ulong esi = m[GeneralRegister.Rsi];
        Assert.Equal(ExitReason.Halted, m.Interpreter.Run(10));
        Assert.Equal(eax, m[GeneralRegister.Rax]);
        Assert.Equal(esi, m[GeneralRegister.Rsi]);
        Assert.Equal(TestMachine.StackTop, m[GeneralRegister.Rsp]);
    }

    [Theory]
    [InlineData(5u, true)]
    [InlineData(0xFFFF_FFFEu, true)]
    [InlineData(6u, false)]
    [InlineData(0xFFFF_FFFDu, false)]
    public void BoundChecksSignedLimitsAndFaultsWithBr(uint index, bool inRange)
    {
        // BOUND EAX, [EBX] with bounds -2 .. 5.
        using TestMachine m = Start(0x62, 0x03);
        m.Memory.Write(TestMachine.DataBase, [0xFE, 0xFF, 0xFF, 0xFF, 5, 0, 0, 0]);
        m[GeneralRegister.Rbx] = TestMachine.DataBase;
        m[GeneralRegister.Rax] = index;
        ExitReason exit = m.Interpreter.Run(10);
        if (inRange)
        {
            Assert.Equal(ExitReason.Halted, exit);
        }
        else
        {
            Assert.Equal(ExitReason.Exception, exit);
            Assert.Equal(BoundInstructions.BoundRangeExceeded, m.Interpreter.LastFault.Vector);
            Assert.Equal(TestMachine.CodeBase, m.State.Rip);
        }
    }
}
