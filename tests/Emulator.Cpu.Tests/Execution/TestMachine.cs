using Emulator.Memory;
using Iced.Intel;

namespace Emulator.Cpu.Tests.Execution;

/// <summary>
/// A 1 MiB flat guest with one vCPU in 64-bit mode: code at <see cref="CodeBase"/>, stack below
/// <see cref="StackTop"/>, data at <see cref="DataBase"/>. Programs are assembled with Iced and get
/// a HLT appended, so a run ends at HLT.
/// </summary>
internal sealed class TestMachine : IDisposable
{
    public const ulong CodeBase = 0x1000;
    public const ulong DataBase = 0x4_0000;
    public const ulong StackTop = 0x8_0000;
    public const ulong RamSize = 0x10_0000;

    public TestMachine()
    {
        Memory = GuestMemory.Create((0, RamSize));
        Vcpu = new Vcpu();
        FlatModeSetup.LongMode64(ref Vcpu.State, CodeBase, StackTop);
        Interpreter = new Interpreter(Vcpu, new FlatMemory(Memory));
    }

    public GuestMemory Memory { get; }

    public Vcpu Vcpu { get; }

    public Interpreter Interpreter { get; }

    public ref CpuState State => ref Vcpu.State;

    public ulong StatusFlags => State.Rflags & FlagMath.Status;

    public AssemblerResult Result { get; private set; }

    public ref ulong this[GeneralRegister register] => ref State.Register(register);

    /// <summary>Assembles <paramref name="program"/> + HLT at <see cref="CodeBase"/> and loads it.</summary>
    public void Load(Action<Assembler> program)
    {
        var assembler = new Assembler(64);
        program(assembler);
        assembler.hlt();
        using var stream = new MemoryStream();
        Result = assembler.Assemble(new StreamCodeWriter(stream), CodeBase, BlockEncoderOptions.ReturnNewInstructionOffsets);
        Memory.Write(CodeBase, stream.ToArray());
        Interpreter.Blocks.InvalidateAll();
    }

    public ExitReason Run(Action<Assembler> program, long maxInstructions = 100_000)
    {
        Load(program);
        return Interpreter.Run(maxInstructions);
    }

    /// <summary>Runs and asserts the program reached its final HLT.</summary>
    public void RunToHalt(Action<Assembler> program)
    {
        ExitReason reason = Run(program);
        Assert.True(reason == ExitReason.Halted, $"exit {reason}, fault {Interpreter.LastFault}, rip {State.Rip:x}");
    }

    public ulong LabelAddress(Label label) => Result.GetLabelRIP(label);

    public void Dispose()
    {
        Vcpu.Dispose();
        Memory.Dispose();
    }
}
