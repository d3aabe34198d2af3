using Emulator.Memory;

namespace Emulator.Cpu.Tests.Differential;

/// <summary>
/// Runs snippets in the interpreter: a 64-bit flat vCPU (<see cref="FlatModeSetup.LongMode64"/>) over 64 KiB of
/// guest RAM, the snippet plus HLT at <see cref="CodeAddress"/>, the scratch buffer at <see cref="ScratchAddress"/>
/// (which the memory base register holds, as the host's buffer address does natively).
/// </summary>
public sealed class InterpreterRunner : ISnippetRunner, IDisposable
{
    public const ulong CodeAddress = 0x1000;
    public const ulong ScratchAddress = 0x4000;
    private const ulong StackTop = 0x8000;
    private const ulong RamSize = 0x10000;
    private const byte Hlt = 0xF4;

    /// <summary>Snippets are straight-line code; a few more than one instruction catch a runaway.</summary>
    private const long InstructionBudget = 64;

    private readonly GuestMemory _memory = GuestMemory.Create((0, RamSize));
    private readonly Vcpu _vcpu = new();
    private readonly Interpreter _interpreter;

    public InterpreterRunner()
    {
        _interpreter = new Interpreter(_vcpu, new FlatMemory(_memory));
    }

    public ExecutionResult Run(DifferentialCase testCase)
    {
        ArgumentNullException.ThrowIfNull(testCase);
        byte[] code = [.. testCase.Code, Hlt];
        _memory.Write(CodeAddress, code);
        _interpreter.Blocks.InvalidateAll();
        _memory.Write(ScratchAddress, testCase.Memory);

        ref CpuState state = ref _vcpu.State;
        FlatModeSetup.LongMode64(ref state, CodeAddress, StackTop);
        for (int i = 0; i < GprFile.Count; i++)
        {
            if ((GeneralRegister)i != GeneralRegister.Rsp)
            {
                state.Gpr[i] = testCase.Input.Gpr[i];
            }
        }

        state.Register(DifferentialCase.MemoryBase) = ScratchAddress;
        state.Rflags = (testCase.Input.Rflags & RegisterSnapshot.StatusFlags) | RflagsBits.Fixed1;

        ExitReason reason = _interpreter.Run(InstructionBudget);
        ulong expectedRip = CodeAddress + (ulong)code.Length;
        string? failure = reason switch
        {
            ExitReason.Halted when state.Rip == expectedRip => null,
            ExitReason.Exception => $"interpreter raised {_interpreter.LastFault} at RIP {state.Rip:x}",
            _ => $"interpreter exited with {reason} at RIP {state.Rip:x}, expected HLT ending at {expectedRip:x}",
        };

        var output = new RegisterSnapshot { Rflags = (state.Rflags & RegisterSnapshot.StatusFlags) | RflagsBits.Fixed1 };
        for (int i = 0; i < GprFile.Count; i++)
        {
            output.Gpr[i] = state.Gpr[i];
        }

        output[GeneralRegister.Rsp] = testCase.Input[GeneralRegister.Rsp];
        output[DifferentialCase.MemoryBase] = testCase.Input[DifferentialCase.MemoryBase];
        byte[] memory = new byte[testCase.Memory.Length];
        _memory.Read(ScratchAddress, memory);
        return new ExecutionResult(output, memory, failure);
    }

    public void Dispose()
    {
        _vcpu.Dispose();
        _memory.Dispose();
    }
}
