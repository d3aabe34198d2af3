using Emulator.Memory;

namespace Emulator.Cpu.Tests.Differential;

/// <summary>
/// Runs snippets in the interpreter: a 64-bit flat vCPU (<see cref="FlatModeSetup.LongMode64"/>) over 64 KiB of
/// guest RAM, the snippet plus HLT at <see cref="CodeAddress"/>, the scratch buffer at <see cref="ScratchAddress"/>
/// (which the memory base register holds, as the host's buffer address does natively). Built from a
/// <see cref="NativeRunner"/>, it mirrors that runner's addresses instead (<see cref="MirroredMemory"/>): the snippet
/// runs at the host's snippet address and the scratch buffer is at the host's, so stack cases, whose pushed values
/// are addresses, compare equal; RFLAGS.IF is then set as a user process has it, so PUSHF images agree too.
/// </summary>
public sealed class InterpreterRunner : ISnippetRunner, IDisposable
{
    public const ulong CodeAddress = 0x1000;
    public const ulong ScratchAddress = 0x4000;
    private const ulong StackTop = 0x8000;
    private const ulong RamSize = 0x20000;

    /// <summary>Where a mirrored runner keeps the host's data mapping (its last page is the scratch buffer).</summary>
    private const ulong MirroredDataAddress = 0x10000;
    private const byte Hlt = 0xF4;

    /// <summary>Snippets are straight-line code; a few more than one instruction catch a runaway.</summary>
    private const long InstructionBudget = 64;

    private readonly GuestMemory _memory = GuestMemory.Create((0, RamSize));
    private readonly Vcpu _vcpu = new();
    private readonly Interpreter _interpreter;
    private readonly ulong _codeLinear = CodeAddress;
    private readonly ulong _scratchLinear = ScratchAddress;
    private readonly ulong _scratchPhysical = ScratchAddress;
    private readonly bool _mirrored;

    public InterpreterRunner()
    {
        _interpreter = new Interpreter(_vcpu, new FlatMemory(_memory));
    }

    public InterpreterRunner(NativeRunner host)
    {
        ArgumentNullException.ThrowIfNull(host);
        ulong dataSize = NativeRunner.DataPages * 4096UL;
        _mirrored = true;
        _codeLinear = host.SnippetAddress;
        _scratchLinear = host.ScratchAddress;
        _scratchPhysical = MirroredDataAddress + (host.ScratchAddress - host.DataAddress);
        _interpreter = new Interpreter(_vcpu, new MirroredMemory(
            new FlatMemory(_memory),
            new MemoryWindow(host.SnippetAddress, CodeAddress, 4096),
            new MemoryWindow(host.DataAddress, MirroredDataAddress, dataSize)));
    }

    public ExecutionResult Run(DifferentialCase testCase)
    {
        ArgumentNullException.ThrowIfNull(testCase);
        byte[] code = [.. testCase.Code, Hlt];
        _memory.Write(CodeAddress, code);
        _interpreter.Blocks.InvalidateAll();
        _memory.Write(_scratchPhysical, testCase.Memory);

        ref CpuState state = ref _vcpu.State;
        FlatModeSetup.LongMode64(ref state, _codeLinear, StackTop);
        if (_mirrored)
        {
            // Stack snippets keep the caller's RSP in XMM15, as SSE is enabled in a user process.
            state.Cr4 |= Cr4Bits.OSFXSR | Cr4Bits.OSXMMEXCPT;
        }

        for (int i = 0; i < GprFile.Count; i++)
        {
            if ((GeneralRegister)i != GeneralRegister.Rsp)
            {
                state.Gpr[i] = testCase.Input.Gpr[i];
            }
        }

        state.Register(DifferentialCase.MemoryBase) = _scratchLinear;
        state.Rflags = (testCase.Input.Rflags & RegisterSnapshot.StatusFlags) | RflagsBits.Fixed1 | (_mirrored ? RflagsBits.IF : 0);

        ExitReason reason = _interpreter.Run(InstructionBudget);
        ulong expectedRip = _codeLinear + (ulong)code.Length;
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
        _memory.Read(_scratchPhysical, memory);
        return new ExecutionResult(output, memory, failure);
    }

    public void Dispose()
    {
        _vcpu.Dispose();
        _memory.Dispose();
    }
}
