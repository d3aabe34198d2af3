namespace Emulator.Cpu.Tests.Execution;

public sealed class ProtectedModeTests
{
    [Fact]
    public void FlatProtectedModeRuns32BitCode()
    {
        using var m = new TestMachine();
        FlatModeSetup.Protected32(ref m.State, TestMachine.CodeBase, TestMachine.StackTop);

        // mov eax, 5; push eax; pop ebx; add ebx, 0xFFFFFFFF; inc ecx (0x41: INC in 32-bit mode); hlt
        m.Memory.Write(TestMachine.CodeBase, new byte[] { 0xB8, 0x05, 0, 0, 0, 0x50, 0x5B, 0x83, 0xC3, 0xFF, 0x41, 0xF4 });
        m[GeneralRegister.Rcx] = 0xFFFF_FFFF;
        Assert.Equal(ExitReason.Halted, m.Interpreter.Run(100));
        Assert.Equal(4ul, m[GeneralRegister.Rbx]);
        Assert.Equal(0ul, m[GeneralRegister.Rcx]);
        Assert.Equal(TestMachine.StackTop, m[GeneralRegister.Rsp]);
        Assert.Equal(TestMachine.CodeBase + 12, m.State.Rip);
    }
}
