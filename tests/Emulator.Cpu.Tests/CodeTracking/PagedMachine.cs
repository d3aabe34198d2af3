using Emulator.Cpu.Tests.Paging;
using Iced.Intel;
using static Emulator.Cpu.Tests.Paging.PageTableBuilder;

namespace Emulator.Cpu.Tests.CodeTracking;

/// <summary>
/// A 64-bit guest on the soft-MMU: the first 2 MiB identity-mapped (one large page), code at
/// <see cref="CodeBase"/>, stack below <see cref="StackTop"/>, and optionally an MMIO bus.
/// </summary>
internal sealed class PagedMachine : IDisposable
{
    public const ulong CodeBase = 0x1000;
    public const ulong StackTop = 0x8_0000;

    public PagedMachine(IMmioBus? mmio = null)
    {
        Tables.Map(0, 0, P | RW | A | D, leafLevel: 2);
        Vcpu = new Vcpu();
        FlatModeSetup.LongMode64(ref Vcpu.State, CodeBase, StackTop);
        Vcpu.State.Cr3 = Tables.Root;
        Memory = new PagedMemory(Tables.Memory, Vcpu, mmio: mmio);
        Interpreter = new Interpreter(Vcpu, Memory);
    }

    public PageTableBuilder Tables { get; } = new();

    public Vcpu Vcpu { get; }

    public PagedMemory Memory { get; }

    public Interpreter Interpreter { get; }

    public ref CpuState State => ref Vcpu.State;

    public ref ulong this[GeneralRegister register] => ref State.Register(register);

    /// <summary>Assembles <paramref name="program"/> at <paramref name="address"/> (its linear = RIP) and returns the bytes.</summary>
    public static byte[] Assemble(ulong address, Action<Assembler> program)
    {
        var assembler = new Assembler(64);
        program(assembler);
        using var stream = new MemoryStream();
        assembler.Assemble(new StreamCodeWriter(stream), address);
        return stream.ToArray();
    }

    public void Dispose()
    {
        Vcpu.Dispose();
        Tables.Dispose();
    }
}
