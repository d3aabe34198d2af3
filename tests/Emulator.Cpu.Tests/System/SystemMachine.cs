using Emulator.Memory;
using Iced.Intel;

namespace Emulator.Cpu.Tests.SystemInstructions;

/// <summary>
/// A 1 MiB flat guest with one vCPU at CPL 0 in 64-bit mode (or 32-bit protected mode), an
/// injected clock, and programs assembled with Iced plus a final HLT.
/// </summary>
internal sealed class SystemMachine : IDisposable
{
    public const ulong CodeBase = 0x1000;
    public const ulong DataBase = 0x4_0000;
    public const ulong StackTop = 0x8_0000;

    public SystemMachine(int bitness = 64)
    {
        Bitness = bitness;
        Memory = GuestMemory.Create((0, 0x10_0000));
        Vcpu = new Vcpu();
        if (bitness == 64)
        {
            FlatModeSetup.LongMode64(ref Vcpu.State, CodeBase, StackTop);
        }
        else
        {
            FlatModeSetup.Protected32(ref Vcpu.State, CodeBase, StackTop);
        }

        Services = new SystemServices(new CpuidModel(CpuModel.Qemu64), Clock);
        Interpreter = new Interpreter(Vcpu, new FlatMemory(Memory), Services);
    }

    public int Bitness { get; }

    public GuestMemory Memory { get; }

    public Vcpu Vcpu { get; }

    public ManualTimeSource Clock { get; } = new();

    public SystemServices Services { get; }

    public Interpreter Interpreter { get; }

    public ref CpuState State => ref Vcpu.State;

    public ref ulong this[GeneralRegister register] => ref State.Register(register);

    /// <summary>Runs <paramref name="program"/> + HLT from <see cref="CodeBase"/>.</summary>
    public ExitReason Run(Action<Assembler> program, long maxInstructions = 1000)
    {
        Load(program);
        return Interpreter.Run(maxInstructions);
    }

    /// <summary>Loads <paramref name="program"/> + HLT at <see cref="CodeBase"/> and points RIP at it.</summary>
    public void Load(Action<Assembler> program)
    {
        var assembler = new Assembler(Bitness);
        program(assembler);
        assembler.hlt();
        using var stream = new MemoryStream();
        assembler.Assemble(new StreamCodeWriter(stream), CodeBase);
        Memory.Write(CodeBase, stream.ToArray());
        Interpreter.Blocks.InvalidateAll();
        State.Rip = CodeBase;
        State.Halted = 0;
    }

    public void RunToHalt(Action<Assembler> program)
    {
        ExitReason reason = Run(program);
        Assert.True(reason == ExitReason.Halted, $"exit {reason}, fault {Interpreter.LastFault}, rip {State.Rip:x}");
    }

    /// <summary>Runs and asserts the first instruction raised #GP(0) without moving RIP.</summary>
    public void AssertGeneralProtection(Action<Assembler> program)
    {
        Assert.Equal(ExitReason.Exception, Run(program));
        Assert.Equal(CpuFault.GeneralProtection(), Interpreter.LastFault);
        Assert.Equal(CodeBase, State.Rip);
    }

    public void Dispose()
    {
        Vcpu.Dispose();
        Memory.Dispose();
    }
}
