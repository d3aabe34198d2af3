using Emulator.Cpu;
using Emulator.Memory;
using Emulator.Platform.Tests.Timing;
using Iced.Intel;

namespace Emulator.Platform.Tests.PcMachine;

/// <summary>
/// A <see cref="PcPlatform"/> on a manual host clock with one vCPU in flat 32-bit protected mode over
/// <see cref="PagedMemory"/> (MMIO through the platform): GDT, IDT and guest code in low RAM. The
/// loop's idle wait moves the host clock instead of sleeping, so halted time is free and deterministic.
/// </summary>
internal sealed class PcGuestMachine : IDisposable
{
    public const ulong RamSize = 0x20_0000;
    public const ulong CodeBase = 0x1_0000;
    public const ulong StackTop = 0x8_0000;
    public const uint Counter = 0x7000;
    public const uint Buffer = 0x7100;
    private const ulong GdtBase = 0x500;
    private const ulong IdtBase = 0x800;

    private readonly MemoryStream _debugcon = new();
    private readonly List<byte> _com1 = [];

    public PcGuestMachine(Action<PcGuestMachine, TimeSpan?>? idle = null)
    {
        Memory = GuestMemory.Create((0, RamSize));
        Platform = new PcPlatform(new PcPlatformOptions
        {
            Memory = Memory,
            Layout = new RamLayout(RamSize),
            HostNanoseconds = Host.Read,
            DebugConsole = _debugcon,
            IsaDebugExit = true,
            Com1Transmit = _com1.Add,
            Reset = () => Resets++,
            PowerOff = () => PowerOffs++,
            Exit = code => ExitCodes.Add(code),
        });
        Vcpu = new Vcpu();
        var paged = new PagedMemory(Memory, Vcpu, mmio: Platform.Mmio);
        Interpreter = new Interpreter(Vcpu, paged, Platform.CreateSystemServices(Vcpu));
        Platform.ConfigureVcpu(Interpreter);
        Loop = new PcVcpuLoop(Platform, Interpreter, timeout =>
        {
            IdleTimes.Add(timeout);
            idle?.Invoke(this, timeout);

            // Nothing armed: a real thread would sleep until a kick; here a millisecond passes.
            Host.Advance(timeout is { } t ? Math.Max(100, t.Ticks * 100) : 1_000_000);
        });

        Prepare(Memory, Vcpu);
    }

    public ManualHostClock Host { get; } = new();

    public GuestMemory Memory { get; }

    public PcPlatform Platform { get; }

    public Vcpu Vcpu { get; }

    public Interpreter Interpreter { get; }

    public PcVcpuLoop Loop { get; }

    public int Resets { get; private set; }

    public int PowerOffs { get; private set; }

    public List<int> ExitCodes { get; } = [];

    public List<TimeSpan?> IdleTimes { get; } = [];

    public byte[] DebugConsoleOutput => _debugcon.ToArray();

    public IReadOnlyList<byte> Com1Output => _com1;

    public uint Read32(ulong address)
    {
        Span<byte> bytes = stackalloc byte[4];
        Memory.Read(address, bytes);
        return BitConverter.ToUInt32(bytes);
    }

    /// <summary>Flat 32-bit protected mode at <see cref="CodeBase"/> with a GDT and an empty IDT in low RAM.</summary>
    public static void Prepare(GuestMemory memory, Vcpu vcpu)
    {
        FlatModeSetup.Protected32(ref vcpu.State, CodeBase, StackTop);
        ulong[] gdt = [0, 0, 0x00CF_9A00_0000_FFFF, 0x00CF_9200_0000_FFFF];
        for (int i = 0; i < gdt.Length; i++)
        {
            memory.Write(GdtBase + ((ulong)i * 8), BitConverter.GetBytes(gdt[i]));
        }

        vcpu.State.Gdtr = new DescriptorTable { Base = GdtBase, Limit = (ushort)((gdt.Length * 8) - 1) };
        vcpu.State.Idtr = new DescriptorTable { Base = IdtBase, Limit = (256 * 8) - 1 };
    }

    /// <summary>Assembles the main program at <see cref="CodeBase"/> and interrupt handlers after it, with their IDT gates.</summary>
    public void Load(Action<Assembler> main, params (int Vector, Action<Assembler> Handler)[] handlers) => Assemble(Memory, main, handlers);

    public static void Assemble(GuestMemory memory, Action<Assembler> main, params (int Vector, Action<Assembler> Handler)[] handlers)
    {
        var assembler = new Assembler(32);
        main(assembler);
        var labels = new List<(int Vector, Label Label)>();
        foreach ((int vector, Action<Assembler> handler) in handlers)
        {
            Label label = assembler.CreateLabel();
            assembler.Label(ref label);
            handler(assembler);
            labels.Add((vector, label));
        }

        using var stream = new MemoryStream();
        AssemblerResult result = assembler.Assemble(new StreamCodeWriter(stream), CodeBase, BlockEncoderOptions.ReturnNewInstructionOffsets);
        memory.Write(CodeBase, stream.ToArray());
        foreach ((int vector, Label label) in labels)
        {
            ulong offset = result.GetLabelRIP(label);
            ulong gate = (offset & 0xFFFF) | ((ulong)FlatModeSetup.CodeSelector32 << 16) | (0x8EUL << 40) | ((offset >> 16) << 48);
            memory.Write(IdtBase + ((ulong)vector * 8), BitConverter.GetBytes(gate));
        }
    }

    public void Dispose()
    {
        Vcpu.Dispose();
        Memory.Dispose();
        _debugcon.Dispose();
    }
}
