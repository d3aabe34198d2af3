using System.Diagnostics;
using Emulator.Cpu;
using Emulator.Memory;
using Iced.Intel;

namespace Emulator.Bench;

/// <summary>
/// Runs a <see cref="GuestLoop"/> on our interpreter in this process: 64-bit mode, code at 1000h,
/// over <see cref="FlatMemory"/> or over <see cref="PagedMemory"/> with the first 2 MiB
/// identity-mapped by one large page (as the QEMU image does).
/// </summary>
internal static class InterpreterLoopRunner
{
    private const ulong CodeBase = 0x1000;
    private const ulong StackTop = 0x8_0000;
    private const ulong Pml4 = 0x10_0000;

    /// <summary>
    /// Guest instructions per second of CPU time (the machine may be shared: CPU time, unlike wall
    /// time, does not count the time others had the core), and the instructions it retired.
    /// </summary>
    public static (double PerSecond, long Instructions) Run(GuestLoop loop, uint iterations, bool paged)
    {
        using GuestMemory memory = GuestMemory.Create((0, 2 << 20));
        using var vcpu = new Vcpu();
        FlatModeSetup.LongMode64(ref vcpu.State, CodeBase, StackTop);
        ICpuMemory cpuMemory = new FlatMemory(memory);
        if (paged)
        {
            memory.Write(Pml4, Pml4 + 0x1000 + 3);
            memory.Write(Pml4 + 0x1000, Pml4 + 0x2000 + 3);
            memory.Write(Pml4 + 0x2000, 0x83UL);
            vcpu.State.Cr3 = Pml4;
            cpuMemory = new PagedMemory(memory, vcpu);
        }

        var assembler = new Assembler(64);
        loop.Emit(assembler, iterations, a => a.hlt());
        using var stream = new MemoryStream();
        assembler.Assemble(new StreamCodeWriter(stream), CodeBase);
        memory.Write(CodeBase, stream.ToArray());

        var interpreter = new Interpreter(vcpu, cpuMemory);
        using Process self = Process.GetCurrentProcess();
        TimeSpan cpuBefore = self.TotalProcessorTime;
        ExitReason reason = interpreter.Run(long.MaxValue);
        self.Refresh();
        TimeSpan elapsed = self.TotalProcessorTime - cpuBefore;
        if (reason != ExitReason.Halted)
        {
            throw new InvalidOperationException($"{loop.Name}: the interpreter stopped with {reason} ({interpreter.LastFault}) at {vcpu.State.Rip:x}");
        }

        return (interpreter.InstructionCount / elapsed.TotalSeconds, interpreter.InstructionCount);
    }
}
