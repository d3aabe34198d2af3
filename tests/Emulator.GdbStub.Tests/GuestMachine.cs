using Emulator.Cpu;
using Emulator.Memory;
using Iced.Intel;

namespace Emulator.GdbStub.Tests;

/// <summary>
/// A 1 MiB flat guest with one vCPU (64-bit, or 32-bit protected mode) whose thread runs through a <see cref="VcpuGdbTarget"/>, as
/// the machine's vCPU loop will. Code at <see cref="CodeBase"/>, data at <see cref="DataBase"/>.
/// </summary>
internal sealed class GuestMachine : IDisposable
{
    public const ulong CodeBase = 0x1000;
    public const ulong DataBase = 0x4_0000;
    public const ulong StackTop = 0x8_0000;

    private readonly Thread _thread;
    private volatile bool _quit;

    public GuestMachine(Action<Assembler> program, bool startStopped, int bitness = 64)
    {
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

        Interpreter = new Interpreter(Vcpu, new FlatMemory(Memory));
        var assembler = new Assembler(bitness);
        program(assembler);
        using var stream = new MemoryStream();
        Result = assembler.Assemble(new StreamCodeWriter(stream), CodeBase, BlockEncoderOptions.ReturnNewInstructionOffsets);
        Memory.Write(CodeBase, stream.ToArray());
        Target = new VcpuGdbTarget(Vcpu, Interpreter, new FlatDebugMemory(Memory), startStopped, () => Killed = true);
        _thread = new Thread(Loop) { IsBackground = true, Name = "test vcpu" };
    }

    public GuestMemory Memory { get; }

    public Vcpu Vcpu { get; }

    public Interpreter Interpreter { get; }

    public VcpuGdbTarget Target { get; }

    public AssemblerResult Result { get; }

    public bool Killed { get; private set; }

    /// <summary>Set once the vCPU thread saw the guest halted.</summary>
    public ManualResetEventSlim HaltSeen { get; } = new();

    /// <summary>Starts the vCPU thread (after the test has put its data in place).</summary>
    public void Start() => _thread.Start();

    public ulong Address(Label label) => Result.GetLabelRIP(label);

    public void Dispose()
    {
        _quit = true;

        // A parked vCPU wakes only on resume.
        Target.Detach();
        if (_thread.IsAlive)
        {
            _thread.Join(TimeSpan.FromSeconds(5));
        }

        Vcpu.Dispose();
        Memory.Dispose();
        HaltSeen.Dispose();
    }

    private void Loop()
    {
        while (!_quit)
        {
            ExitReason reason = Target.RunSlice(1000);
            if (reason == ExitReason.Halted)
            {
                HaltSeen.Set();
                Thread.Sleep(1);
            }
            else if (reason != ExitReason.InstructionLimit)
            {
                Target.ReportStop(new GdbStop(GdbStopReason.Faulted));
                Thread.Sleep(1);
            }
        }
    }
}
