using Emulator.Memory;

namespace Emulator.Cpu.Tests.Vector;

/// <summary>
/// Runs a vector snippet in the interpreter: 64-bit flat mode with CR4.OSFXSR and OSXMMEXCPT set, the
/// MMX registers loaded as a MOVQ would leave them (exponent all ones, TOP 0, all tags valid).
/// </summary>
public sealed class VectorInterpreterRunner : IDisposable
{
    public const ulong CodeAddress = 0x1000;
    public const ulong ScratchAddress = 0x4000;
    private const ulong StackTop = 0x8000;
    private const ulong RamSize = 0x10000;
    private const byte Hlt = 0xF4;

    private readonly GuestMemory _memory = GuestMemory.Create((0, RamSize));
    private readonly Vcpu _vcpu = new();
    private readonly Interpreter _interpreter;
    private byte[] _loaded = [];

    public VectorInterpreterRunner()
    {
        _interpreter = new Interpreter(_vcpu, new FlatMemory(_memory));
    }

    public ref CpuState State => ref _vcpu.State;

    /// <summary>Loads the case into the vCPU and guest memory without running it.</summary>
    public void Load(VectorCase testCase)
    {
        ArgumentNullException.ThrowIfNull(testCase);
        if (!testCase.Code.AsSpan().SequenceEqual(_loaded))
        {
            _memory.Write(CodeAddress, [.. testCase.Code, Hlt]);
            _interpreter.Blocks.InvalidateAll();
            _loaded = testCase.Code;
        }

        _memory.Write(ScratchAddress, testCase.Memory);
        ref CpuState state = ref _vcpu.State;
        FlatModeSetup.LongMode64(ref state, CodeAddress, StackTop);
        state.Cr4 |= Cr4Bits.OSFXSR | Cr4Bits.OSXMMEXCPT;
        VectorState input = testCase.Input;
        for (int i = 0; i < GprFile.Count; i++)
        {
            if ((GeneralRegister)i != GeneralRegister.Rsp)
            {
                state.Gpr[i] = input.Gpr(i);
            }
        }

        state.Gpr[VectorCase.MemoryBase] = ScratchAddress;
        state.Gpr[(int)GeneralRegister.Rdi] = ScratchAddress + VectorCase.MaskedStoreOffset;
        state.Rflags = RflagsBits.Fixed1;
        for (int i = 0; i < XmmFile.Count; i++)
        {
            state.Xmm[i].Low = input.XmmLow(i);
            state.Xmm[i].High = input.XmmHigh(i);
        }

        for (int i = 0; i < X87RegisterFile.Count; i++)
        {
            state.Fpr[i].Significand = input.Mmx(i);
            state.Fpr[i].SignExponent = 0xFFFF;
        }

        state.Fcw = 0x37F;
        state.Fsw = 0;
        state.FpuTop = 0;
        state.Ftw = 0xFF;
        state.Fop = 0;
        state.Fip = 0;
        state.Fdp = 0;
        state.Mxcsr = (uint)input.Mxcsr;
    }

    /// <summary>Runs the loaded snippet to its HLT; a fault or other exit is the result's failure.</summary>
    public VectorResult Run(VectorCase testCase)
    {
        Load(testCase);
        ExitReason reason = _interpreter.Run(8);
        ref CpuState state = ref _vcpu.State;
        ulong expectedRip = CodeAddress + (ulong)testCase.Code.Length + 1;
        string? failure = reason switch
        {
            ExitReason.Halted when state.Rip == expectedRip => null,
            ExitReason.Exception => $"interpreter raised {_interpreter.LastFault}",
            _ => $"interpreter exited with {reason} at RIP {state.Rip:x}",
        };

        var output = new VectorState { Mxcsr = state.Mxcsr, Rflags = state.Rflags };
        for (int i = 0; i < GprFile.Count; i++)
        {
            output.Gpr(i) = state.Gpr[i];
        }

        for (int i = 0; i < XmmFile.Count; i++)
        {
            output.XmmLow(i) = state.Xmm[i].Low;
            output.XmmHigh(i) = state.Xmm[i].High;
        }

        for (int i = 0; i < X87RegisterFile.Count; i++)
        {
            output.Mmx(i) = state.Fpr[i].Significand;
        }

        output.Gpr(VectorCase.MemoryBase) = testCase.Input.Gpr(VectorCase.MemoryBase);
        output.Gpr((int)GeneralRegister.Rdi) = testCase.Input.Gpr((int)GeneralRegister.Rdi);
        output.Gpr((int)GeneralRegister.Rsp) = testCase.Input.Gpr((int)GeneralRegister.Rsp);
        byte[] memory = new byte[testCase.Memory.Length];
        _memory.Read(ScratchAddress, memory);
        return new VectorResult(output, memory, failure);
    }

    public Interpreter Interpreter => _interpreter;

    public void Dispose()
    {
        _vcpu.Dispose();
        _memory.Dispose();
    }
}
