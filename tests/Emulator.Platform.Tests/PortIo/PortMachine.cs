using Emulator.Cpu;
using Emulator.Memory;
using Iced.Intel;

namespace Emulator.Platform.Tests.PortIo;

/// <summary>1 MiB of flat RAM, one vCPU in 64-bit mode with code at <see cref="CodeBase"/> and a <see cref="RecordingPortBus"/>.</summary>
internal sealed class PortMachine : IDisposable
{
    public const ulong CodeBase = 0x1000;
    public const ulong DataBase = 0x4_0000;
    public const ulong StackTop = 0x8_0000;
    public const ulong RamSize = 0x10_0000;

    public PortMachine()
    {
        Memory = GuestMemory.Create((0, RamSize));
        Vcpu = new Vcpu();
        FlatModeSetup.LongMode64(ref Vcpu.State, CodeBase, StackTop);
        var system = new SystemServices(new CpuidModel(Vcpu.Model, 0)) { Ports = Bus };
        Interpreter = new Interpreter(Vcpu, new FlatMemory(Memory), system);
    }

    public RecordingPortBus Bus { get; } = new();

    public GuestMemory Memory { get; }

    public Vcpu Vcpu { get; }

    public Interpreter Interpreter { get; }

    public ref CpuState State => ref Vcpu.State;

    public ref ulong this[GeneralRegister register] => ref State.Register(register);

    /// <summary>Assembles <paramref name="program"/> + HLT at <see cref="CodeBase"/> and runs it.</summary>
    public ExitReason Run(Action<Assembler> program, long budget = 100_000, bool halt = true)
    {
        var assembler = new Assembler(64);
        program(assembler);
        if (halt)
        {
            assembler.hlt();
        }

        using var stream = new MemoryStream();
        assembler.Assemble(new StreamCodeWriter(stream), CodeBase);
        Memory.Write(CodeBase, stream.ToArray());
        Interpreter.Blocks.InvalidateAll();
        State.Halted = 0;
        State.Rip = CodeBase;
        return Interpreter.Run(budget);
    }

    /// <summary>Runs exactly <paramref name="instructions"/> instructions (no HLT: user mode may not run it) and asserts none faulted.</summary>
    public void RunUser(Action<Assembler> program, int instructions)
    {
        ExitReason reason = Run(program, instructions, halt: false);
        Assert.True(reason == ExitReason.InstructionLimit, $"exit {reason}, fault {Interpreter.LastFault}, rip {State.Rip:x}");
    }

    public void RunToHalt(Action<Assembler> program)
    {
        ExitReason reason = Run(program);
        Assert.True(reason == ExitReason.Halted, $"exit {reason}, fault {Interpreter.LastFault}, rip {State.Rip:x}");
    }

    /// <summary>A 32-bit TSS at <paramref name="tssBase"/> with its I/O map at offset <paramref name="ioMapOffset"/>, CPL 3, IOPL 0.</summary>
    public void UserModeWithTss(ulong tssBase, uint limit, ushort ioMapOffset)
    {
        Memory.Write(tssBase + 0x66, BitConverter.GetBytes(ioMapOffset));
        State.Tr = new SegmentCache(0x28, tssBase, limit, SegmentFlags.Present | (11u << SegmentFlags.TypeShift));
        State.Cpl = 3;
        State.Rflags &= ~(3UL << 12);
    }

    public void Dispose()
    {
        Vcpu.Dispose();
        Memory.Dispose();
    }
}
