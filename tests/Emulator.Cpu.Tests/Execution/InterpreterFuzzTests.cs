using Emulator.Tests.Shared;

namespace Emulator.Cpu.Tests.Execution;

/// <summary>Random code must end in an exit reason, never a .NET exception, a hang or an access outside guest RAM.</summary>
public sealed class InterpreterFuzzTests
{
    [Theory]
    [Trait("Category", FuzzBudget.Category)]
    [InlineData(64)]
    [InlineData(32)]
    public void RandomCodeNeverThrows(int bitness)
    {
        var random = new Random(1234 + bitness);
        var code = new byte[256];
        int iterations = FuzzBudget.Iterations(300);
        using var m = new TestMachine();
        for (int i = 0; i < iterations; i++)
        {
            random.NextBytes(code);
            m.Memory.Zero(0, TestMachine.RamSize);
            m.Memory.Write(TestMachine.CodeBase, code);
            m.Interpreter.Blocks.InvalidateAll();
            if (bitness == 64)
            {
                FlatModeSetup.LongMode64(ref m.State, TestMachine.CodeBase, TestMachine.StackTop);
            }
            else
            {
                FlatModeSetup.Protected32(ref m.State, TestMachine.CodeBase, TestMachine.StackTop);
            }

            for (int r = 0; r < GprFile.Count; r++)
            {
                m.State.Gpr[r] = (ulong)random.NextInt64() & (random.Next(2) == 0 ? 0xFFFFul : ulong.MaxValue);
            }

            long before = m.Interpreter.InstructionCount;
            ExitReason reason = m.Interpreter.Run(200);
            Assert.True(Enum.IsDefined(reason) && reason != ExitReason.Continue);
            Assert.InRange(m.Interpreter.InstructionCount - before, 0, 200);
        }
    }
}
