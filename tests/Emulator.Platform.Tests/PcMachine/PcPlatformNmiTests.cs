using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Platform.Tests.PcMachine;

/// <summary>
/// NMIs through the wired-up pc platform: a self IPI, LVT LINT1 and an IOAPIC entry in NMI mode all
/// reach vector 2 with RFLAGS.IF clear, and a second NMI waits until the handler's IRET.
/// </summary>
public sealed class PcPlatformNmiTests
{
    private const byte ExitValue = 0x21;
    private const int ExitStatus = (ExitValue << 1) | 1;
    private const uint LapicBase = 0xFEE0_0000;
    private const uint IoApicBase = 0xFEC0_0000;
    private const uint SelfNmi = 0x4_0400;
    private const uint Seen = PcGuestMachine.Buffer;

    [Fact]
    public void SelfNmiSentFromTheHandlerWaitsForItsIret()
    {
        using var machine = new PcGuestMachine();
        machine.Load(
            a =>
            {
                a.cli();
                a.MmioWrite(LapicBase + LocalApicRegister.SpuriousVector, 0x1FF);
                a.MmioWrite(LapicBase + LocalApicRegister.CommandLow, SelfNmi);

                // Spin, not HLT: both NMIs may come and go before the loop's first look, and a HLT with IF clear would then sleep forever.
                WaitForCountThenExit(a, 2, halt: false);
            },
            (2, a =>
            {
                Label second = a.CreateLabel();
                Label next = a.CreateLabel();
                a.inc(__dword_ptr[PcGuestMachine.Counter]);
                a.cmp(__dword_ptr[PcGuestMachine.Counter], 1);
                a.jne(second);
                a.MmioWrite(LapicBase + LocalApicRegister.CommandLow, SelfNmi);

                // Block boundaries, where a deliverable NMI would be taken.
                a.jmp(next);
                a.Label(ref next);
                a.nop();
                a.mov(eax, __dword_ptr[PcGuestMachine.Counter]);
                a.mov(__dword_ptr[Seen], eax);
                a.Label(ref second);
                a.iretd();
            }));

        RunToExit(machine);
        Assert.Equal(1u, machine.Read32(Seen));
        Assert.Equal(2u, machine.Read32(PcGuestMachine.Counter));
        Assert.Equal(0, machine.Vcpu.State.NmiBlocked);
    }

    [Fact]
    public void Lint1InNmiModeWakesAHaltWithInterruptsOff()
    {
        using var machine = new PcGuestMachine((m, _) => m.Platform.LocalApic.Lint1.Set(true));
        machine.Load(
            a =>
            {
                a.cli();
                a.MmioWrite(LapicBase + LocalApicRegister.SpuriousVector, 0x1FF);
                a.MmioWrite(LapicBase + LocalApicRegister.LvtLint1, 0x400);
                WaitForCountThenExit(a, 1);
            },
            (2, CountingHandler));

        RunToExit(machine);
        Assert.Equal(1u, machine.Read32(PcGuestMachine.Counter));
    }

    [Fact]
    public void IoApicEntryInNmiModeDeliversPitTicksAsNmis()
    {
        using var machine = new PcGuestMachine();
        machine.Load(
            a =>
            {
                a.cli();
                a.Out(0x21, 0xFF);
                a.Out(0xA1, 0xFF);
                a.MmioWrite(LapicBase + LocalApicRegister.SpuriousVector, 0x1FF);
                a.MmioWrite(IoApicBase, 0x14); // GSI 2 (the PIT), low half: NMI, edge, unmasked (the vector is ignored)
                a.MmioWrite(IoApicBase + 0x10, 0x400);
                a.MmioWrite(IoApicBase, 0x15);
                a.MmioWrite(IoApicBase + 0x10, 0);
                a.StartPit();
                WaitForCountThenExit(a, 3);
            },
            (2, CountingHandler));

        RunToExit(machine);
        Assert.True(machine.Read32(PcGuestMachine.Counter) >= 3);
    }

    [Fact]
    public void ResetUnblocksNmis()
    {
        using var machine = new PcGuestMachine();
        machine.Vcpu.State.NmiBlocked = 1;
        machine.Vcpu.Reset();
        Assert.Equal(0, machine.Vcpu.State.NmiBlocked);
    }

    private static void CountingHandler(Assembler a)
    {
        a.inc(__dword_ptr[PcGuestMachine.Counter]);
        a.iretd();
    }

    /// <summary>HLT or spin (IF stays clear) until the NMI handler has counted <paramref name="count"/>, then isa-debug-exit.</summary>
    private static void WaitForCountThenExit(Assembler a, uint count, bool halt = true)
    {
        Label wait = a.CreateLabel();
        Label done = a.CreateLabel();
        a.Label(ref wait);
        a.cmp(__dword_ptr[PcGuestMachine.Counter], count);
        a.jae(done);
        if (halt)
        {
            a.hlt();
        }
        else
        {
            a.pause();
        }

        a.jmp(wait);
        a.Label(ref done);
        a.Out(IsaDebugExit.DefaultBase, ExitValue);
        a.hlt();
    }

    private static void RunToExit(PcGuestMachine machine)
    {
        PcStopReason stop = machine.Loop.Run(maxSteps: 10_000);
        Assert.True(stop == PcStopReason.DebugExit, $"stop {stop}, rip {machine.Vcpu.State.Rip:x}, count {machine.Read32(PcGuestMachine.Counter)}, fault {machine.Interpreter.LastFault}");
        Assert.Equal([ExitStatus], machine.ExitCodes);
        Assert.Equal(0UL, machine.Vcpu.State.Rflags & 0x200);
    }
}
