using System.Runtime.InteropServices;
using Emulator.Tests.Shared;

namespace Emulator.Cpu.Tests;

/// <summary>
/// Any bit pattern a buggy interpreter or a hostile guest could leave in the state (CPL 200,
/// undefined descriptor types, flags with every bit set) dumps without throwing, in QEMU's shape:
/// a fixed line count per layout and every line starting with its register name.
/// </summary>
public sealed class RegisterDumpFuzzTests
{
    private static readonly int Iterations = FuzzBudget.Iterations(20_000);

    private static readonly string[] NarrowPrefixes =
    [
        "EAX=", "ESI=", "EIP=", "ES =", "CS =", "SS =", "DS =", "FS =", "GS =", "LDT=", "TR =", "GDT=", "IDT=", "CR0=",
        "DR0=", "DR6=", "EFER=", "FCW=", "FPR0=", "FPR2=", "FPR4=", "FPR6=", "XMM00=", "XMM02=", "XMM04=", "XMM06=",
    ];

    private static readonly string[] WidePrefixes =
    [
        "RAX=", "RSI=", "R8 =", "R12=", "RIP=", "ES =", "CS =", "SS =", "DS =", "FS =", "GS =", "LDT=", "TR =", "GDT=", "IDT=",
        "CR0=", "DR0=", "DR6=", "EFER=", "FCW=", "FPR0=", "FPR2=", "FPR4=", "FPR6=", "XMM00=", "XMM02=", "XMM04=", "XMM06=",
        "XMM08=", "XMM10=", "XMM12=", "XMM14=",
    ];

    [Fact]
    [Trait("Category", FuzzBudget.Category)]
    public void RandomStatesDumpInQemusShape()
    {
        var random = new Random(20250301);
        CpuState state = default;
        Span<byte> bytes = MemoryMarshal.AsBytes(new Span<CpuState>(ref state));
        int wide = 0;
        for (int i = 0; i < Iterations; i++)
        {
            random.NextBytes(bytes);

            // Half the time in IA-32e mode, so both layouts get exercised.
            state.Efer = random.Next(2) == 0 ? state.Efer & ~EferBits.LMA : state.Efer | EferBits.LMA;
            string dump = RegisterDump.Format(state);
            Assert.EndsWith("\n", dump, StringComparison.Ordinal);
            string[] lines = dump[..^1].Split('\n');
            string[] prefixes = state.In64BitMode ? WidePrefixes : NarrowPrefixes;
            wide += state.In64BitMode ? 1 : 0;
            Assert.Equal(prefixes.Length, lines.Length);
            for (int line = 0; line < lines.Length; line++)
            {
                Assert.StartsWith(prefixes[line], lines[line], StringComparison.Ordinal);
            }
        }

        Assert.InRange(wide, Iterations / 8, Iterations - (Iterations / 8));
    }
}
