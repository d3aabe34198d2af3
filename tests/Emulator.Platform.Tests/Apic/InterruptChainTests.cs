using Emulator.Cpu;
using Emulator.Memory;
using Emulator.Platform.Tests.Timing;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Platform.Tests.Apic;

/// <summary>HPET → IOAPIC → LAPIC → interpreter, on one virtual clock, with a real-mode guest that waits in HLT.</summary>
public sealed class InterruptChainTests
{
    [Fact]
    public void PeriodicHpetWakesTheHaltedGuestOncePerPeriod()
    {
        var host = new ManualHostClock();
        var clock = new VirtualClock(host.Read);
        var tsc = new ClockTimeSource(clock);
        var bus = new ApicBus();
        var lapic = new LocalApic(clock, tsc);
        bus.Attach(lapic);
        var ioapic = new IoApic(bus);
        lapic.EndOfInterruptBroadcast = ioapic.EndOfInterrupt;
        var hpet = new Platform.Hpet(clock);
        hpet.ConnectRoute(2, new InterruptFanOut(ioapic.Pins[2]));

        using GuestMemory memory = GuestMemory.Create((0, 0x10_0000));
        using var vcpu = new Vcpu();
        var system = new SystemServices(new CpuidModel(vcpu.Model) { TscDeadlineTimer = true }, tsc) { MsrExtension = lapic, TaskPriority = lapic };
        var interpreter = new Interpreter(vcpu, new FlatMemory(memory), system) { DeliverExceptions = true, Interrupts = lapic };
        EnterRealMode(ref vcpu.State);
        memory.Write(0x30 * 4, 0x0200_0000u); // vector 30h at 0200:0000
        Emit(memory, 0x2000, a =>
        {
            a.inc(bx);
            a.iret();
        });
        Emit(memory, 0x1000, a =>
        {
            Label top = a.CreateLabel();
            a.Label(ref top);
            a.sti();
            a.hlt();
            a.jmp(top);
        });

        Write32(lapic, LocalApicRegister.SpuriousVector, 0x1FF);
        WriteIoApic(ioapic, 0x14, 0x30);
        WriteHpet(hpet, HpetRegister.TimerBase, HpetRegister.TimerInterruptEnable | HpetRegister.TimerPeriodic | HpetRegister.TimerValueSet | (2UL << HpetRegister.TimerRouteShift));
        WriteHpet(hpet, HpetRegister.TimerBase + 8, 100);
        WriteHpet(hpet, HpetRegister.Configuration, HpetRegister.EnableCnf);

        Assert.Equal(ExitReason.Halted, interpreter.Run(1000));
        for (int k = 1; k <= 5; k++)
        {
            Assert.Equal(TimeSpan.FromTicks(10), clock.UntilNextDeadline);
            host.Advance(1000);
            clock.RunExpired();
            Assert.Equal(ExitReason.Halted, interpreter.Run(1000));
            Assert.Equal((ulong)k, vcpu.State.Register(GeneralRegister.Rbx));
            Write32(lapic, LocalApicRegister.EndOfInterrupt, 0);
        }
    }

    private static void EnterRealMode(ref CpuState s)
    {
        const uint flags = SegmentFlags.Present | SegmentFlags.CodeOrData | SegmentFlags.ReadableOrWritable | SegmentFlags.Accessed;
        s.Cr0 = Cr0Bits.ET;
        s.Cr4 = 0;
        s.Efer = 0;
        s.Segment(SegmentRegister.Cs) = new SegmentCache(0, 0, 0xFFFF, flags | SegmentFlags.Code);
        s.Segment(SegmentRegister.Ss) = new SegmentCache(0, 0, 0xFFFF, flags);
        s.Segment(SegmentRegister.Ds) = new SegmentCache(0, 0, 0xFFFF, flags);
        s.Idtr = new DescriptorTable { Base = 0, Limit = 0x3FF };
        s.Cpl = 0;
        s.Rip = 0x1000;
        s.Register(GeneralRegister.Rsp) = 0x7000;
        s.Rflags = 0x2;
    }

    private static void Emit(GuestMemory memory, ulong address, Action<Assembler> program)
    {
        var assembler = new Assembler(16);
        program(assembler);
        using var stream = new MemoryStream();
        assembler.Assemble(new StreamCodeWriter(stream), address);
        memory.Write(address, stream.ToArray());
    }

    private static void Write32(IMmioDevice device, int offset, uint value) => device.Write((ulong)offset, BitConverter.GetBytes(value));

    private static void WriteHpet(Platform.Hpet hpet, int offset, ulong value) => hpet.Write((ulong)offset, BitConverter.GetBytes(value));

    private static void WriteIoApic(IoApic ioapic, byte register, uint value)
    {
        ioapic.Write(0, [register]);
        Write32(ioapic, 0x10, value);
    }
}
