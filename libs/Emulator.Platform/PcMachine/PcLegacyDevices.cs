namespace Emulator.Platform;

/// <summary>
/// The ISA devices a system reset puts back to power-on state by building them again: PICs, PIT
/// with port 61h, RTC/CMOS, i8042 with port 92h and the ACPI PM block, on their own
/// <see cref="GenerationClock"/> (the RTC then takes over its predecessor's date and CMOS RAM). The
/// UARTs reset in place (host-side holders stay valid); fw_cfg and PCI keep their state.
/// </summary>
internal sealed class PcLegacyDevices
{
    public PcLegacyDevices(IDeviceClock clock, DateTime wallTime, IInterruptLine picOutput, Func<int, IInterruptLine> isaIrq, IInterruptLine pitOutput, IInterruptLine rtcOutput, PcLegacyCallbacks callbacks)
    {
        Clock = new GenerationClock(clock);
        Pic = new DualPic(picOutput);
        Pit = new Pit8254(Clock, pitOutput);
        PortB = new SystemControlPortB(Pit, Clock);
        Rtc = new Mc146818Rtc(Clock, rtcOutput, wallTime);
        var a20 = new A20Gate(callbacks.A20Changed);
        // No firmware runs: the controller starts as a BIOS would leave it.
        Keyboard = new Kbc8042(isaIrq(1), isaIrq(12), a20, callbacks.Reset, Kbc8042.FirmwareCommandByte);
        PortA = new SystemControlPortA(a20, callbacks.Reset);
        Pm = new AcpiPmDevice(Clock, isaIrq(AcpiPmDevice.SciIrq), callbacks.PowerOff);
    }

    public GenerationClock Clock { get; }

    public DualPic Pic { get; }

    public Pit8254 Pit { get; }

    public SystemControlPortB PortB { get; }

    public Mc146818Rtc Rtc { get; }

    public Kbc8042 Keyboard { get; }

    public SystemControlPortA PortA { get; }

    public AcpiPmDevice Pm { get; }
}
