using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Bench;

/// <summary>
/// One 64-bit guest loop of the CPU bench: its body runs <c>iterations</c> times (an even number),
/// then <c>finish</c> (HLT for our interpreter, a write to isa-debug-exit for QEMU) follows.
/// <see cref="InstructionsPerTwoIterations"/> counts the loop's instructions, so a rate is exact.
/// </summary>
internal sealed record GuestLoop(string Name, int InstructionsPerTwoIterations, Action<Assembler, uint> Body)
{
    /// <summary>Where the load/store loop's 8 KiB array lives (RAM in both machines, away from code and page tables).</summary>
    public const uint ArrayBase = 0x1_0000;

    public static IReadOnlyList<GuestLoop> All { get; } =
    [
        new("alu", 16, Alu),
        new("load/store", 14, LoadStore),
        new("branchy", 15, Branchy),
    ];

    public long Instructions(long iterations) => iterations / 2 * InstructionsPerTwoIterations;

    /// <summary>Prologue, loop, then <paramref name="finish"/>; every register the loop uses is set first.</summary>
    public void Emit(Assembler a, uint iterations, Action<Assembler> finish)
    {
        Body(a, iterations);
        finish(a);
    }

    private static void Alu(Assembler a, uint iterations)
    {
        Label top = a.CreateLabel();
        a.mov(ecx, iterations);
        a.mov(eax, 1);
        a.mov(ebx, 3);
        a.mov(edx, 5);
        a.mov(esi, 7);
        a.mov(edi, 9);
        a.Label(ref top);
        a.add(eax, ebx);
        a.xor(edx, eax);
        a.shl(ebx, 1);
        a.inc(esi);
        a.dec(edi);
        a.cmp(eax, edx);
        a.dec(ecx);
        a.jnz(top);
    }

    private static void LoadStore(Assembler a, uint iterations)
    {
        Label top = a.CreateLabel();
        a.mov(ecx, iterations);
        a.mov(esi, ArrayBase);
        a.xor(edx, edx);
        a.Label(ref top);
        a.mov(rax, __qword_ptr[rsi + rdx * 8]);
        a.add(rax, rcx);
        a.mov(__qword_ptr[rsi + rdx * 8], rax);
        a.inc(edx);
        a.and(edx, 1023);
        a.dec(ecx);
        a.jnz(top);
    }

    private static void Branchy(Assembler a, uint iterations)
    {
        Label top = a.CreateLabel();
        Label skip = a.CreateLabel();
        Label function = a.CreateLabel();
        Label done = a.CreateLabel();
        a.mov(ecx, iterations);
        a.xor(eax, eax);
        a.xor(ebx, ebx);
        a.Label(ref top);
        a.test(ecx, 1);
        a.jz(skip);
        a.inc(eax);
        a.Label(ref skip);
        a.call(function);
        a.dec(ecx);
        a.jnz(top);
        a.jmp(done);
        a.Label(ref function);
        a.add(ebx, ecx);
        a.ret();
        a.Label(ref done);
    }
}
