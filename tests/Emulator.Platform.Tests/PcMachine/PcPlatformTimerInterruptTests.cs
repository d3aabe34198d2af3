using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Platform.Tests.PcMachine;

/// <summary>32-bit guests that sleep in HLT and count timer interrupts through the wired-up pc platform.</summary>
public sealed class PcPlatformTimerInterruptTests
{
    private const uint Ticks = 10;
    private const byte ExitValue = 0x10;
    private const int ExitStatus = (ExitValue << 1) | 1;
    private const uint LapicBase = 0xFEE0_0000;
    private const uint IoApicBase = 0xFEC0_0000;

    [Fact]
    public void PitThroughThePicWakesTheHaltedGuest()
    {
        using var machine = new PcGuestMachine();
        machine.Load(
            a =>
            {
                a.InitPic(0xFE, 0xFF);
                a.StartPit();
                a.WaitTicksThenExit(Ticks, ExitValue);
            },
            (0x20, PicTickHandler));

        AssertCountedAndExited(machine);
    }

    [Fact]
    public void PitThroughTheIoApicAndLocalApicWakesTheHaltedGuest()
    {
        using var machine = new PcGuestMachine();
        machine.Load(
            a =>
            {
                a.Out(0x21, 0xFF);
                a.Out(0xA1, 0xFF);
                a.MmioWrite(LapicBase + LocalApicRegister.SpuriousVector, 0x1FF);
                a.MmioWrite(IoApicBase, 0x14); // GSI 2 (the PIT), low half: vector 30h, fixed, edge, unmasked
                a.MmioWrite(IoApicBase + 0x10, 0x30);
                a.MmioWrite(IoApicBase, 0x15); // high half: destination APIC 0
                a.MmioWrite(IoApicBase + 0x10, 0);
                a.StartPit();
                a.WaitTicksThenExit(Ticks, ExitValue);
            },
            (0x30, LapicTickHandler));

        AssertCountedAndExited(machine);
        Assert.Equal(0x30UL, machine.Platform.IoApic.Entry(2) & 0xFF);
    }

    [Fact]
    public void PeriodicLocalApicTimerWakesTheHaltedGuest()
    {
        using var machine = new PcGuestMachine();
        machine.Load(
            a =>
            {
                a.Out(0x21, 0xFF);
                a.Out(0xA1, 0xFF);
                a.MmioWrite(LapicBase + LocalApicRegister.SpuriousVector, 0x1FF);
                a.MmioWrite(LapicBase + 0x3E0, 0xB); // divide by 1
                a.MmioWrite(LapicBase + 0x320, 0x2_0031); // periodic, vector 31h
                a.MmioWrite(LapicBase + 0x380, 200_000);
                a.WaitTicksThenExit(Ticks, ExitValue);
            },
            (0x31, LapicTickHandler));

        AssertCountedAndExited(machine);
    }

    [Fact]
    public void HpetLegacyReplacementTakesIrq0()
    {
        using var machine = new PcGuestMachine();
        machine.Load(
            a =>
            {
                a.InitPic(0xFE, 0xFF);
                a.MmioWrite((uint)Platform.Hpet.DefaultBase + 0x100, 0x4C); // timer 0: interrupt enable, periodic, value set
                a.MmioWrite((uint)Platform.Hpet.DefaultBase + 0x108, 100_000); // 1 ms in 10 ns ticks
                a.MmioWrite((uint)Platform.Hpet.DefaultBase + 0x10, 3); // enable, legacy replacement
                a.WaitTicksThenExit(Ticks, ExitValue);
            },
            (0x20, PicTickHandler));

        AssertCountedAndExited(machine);
        Assert.True(machine.Platform.Hpet.LegacyReplacement);
    }

    [Fact]
    public void RtcPeriodicInterruptArrivesAndTheDateIsTheHostDate()
    {
        DateTime before = DateTime.UtcNow.Date;
        using var machine = new PcGuestMachine();
        machine.Load(
            a =>
            {
                a.InitPic(0xFB, 0xFE);
                a.Out(0x70, 0x0A);
                a.Out(0x71, 0x26); // 1024 Hz
                a.Out(0x70, 0x0B);
                a.@in(al, 0x71);
                a.or(al, 0x40); // PIE
                a.mov(bl, al);
                a.Out(0x70, 0x0B);
                a.mov(al, bl);
                a.@out(0x71, al);
                foreach (byte register in new byte[] { 7, 8, 9, 0x32 })
                {
                    a.Out(0x70, register);
                    a.@in(al, 0x71);
                    a.mov(__byte_ptr[PcGuestMachine.Buffer + register], al);
                }

                a.WaitTicksThenExit(Ticks, ExitValue);
            },
            (0x28, a =>
            {
                a.push(eax);
                a.inc(__dword_ptr[PcGuestMachine.Counter]);
                a.mov(al, 0x0C);
                a.@out(0x70, al);
                a.@in(al, 0x71);
                a.mov(al, 0x20);
                a.@out(0xA0, al);
                a.@out(0x20, al);
                a.pop(eax);
                a.iretd();
            }));

        AssertCountedAndExited(machine);
        DateTime after = DateTime.UtcNow.Date;
        int Bcd(uint register)
        {
            uint b = machine.Read32(PcGuestMachine.Buffer + register) & 0xFF;
            return (int)((b >> 4) * 10 + (b & 0xF));
        }

        var guestDate = new DateTime((Bcd(0x32) * 100) + Bcd(9), Bcd(8), Bcd(7), 0, 0, 0, DateTimeKind.Utc);
        Assert.True(guestDate == before || guestDate == after, $"guest date {guestDate:d}, host {before:d}");
    }

    private static void PicTickHandler(Assembler a)
    {
        a.push(eax);
        a.inc(__dword_ptr[PcGuestMachine.Counter]);
        a.mov(al, 0x20);
        a.@out(0x20, al);
        a.pop(eax);
        a.iretd();
    }

    private static void LapicTickHandler(Assembler a)
    {
        a.inc(__dword_ptr[PcGuestMachine.Counter]);
        a.mov(__dword_ptr[LapicBase + LocalApicRegister.EndOfInterrupt], 0);
        a.iretd();
    }

    private static void AssertCountedAndExited(PcGuestMachine machine)
    {
        PcStopReason stop = machine.Loop.Run(maxSteps: 10_000);
        Assert.True(stop == PcStopReason.DebugExit, $"stop {stop}, rip {machine.Vcpu.State.Rip:x}, count {machine.Read32(PcGuestMachine.Counter)}, fault {machine.Interpreter.LastFault}");
        Assert.Equal([ExitStatus], machine.ExitCodes);
        Assert.Equal(ExitStatus, machine.Platform.ExitCode);
        Assert.Equal([(byte)Ticks], machine.DebugConsoleOutput);

        // The halted guest parks the loop until the next deadline instead of spinning: one park per tick or so.
        Assert.InRange(machine.Loop.IdleWaits, Ticks, 4 * Ticks);
        Assert.InRange(machine.Loop.Slices, Ticks, 8 * Ticks);
        Assert.All(machine.IdleTimes, t => Assert.True(t is { } wait && wait > TimeSpan.Zero, $"idle wait {t}"));
    }
}
