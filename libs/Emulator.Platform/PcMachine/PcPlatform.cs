using System.Collections.Concurrent;
using Emulator.Cpu;

namespace Emulator.Platform;

/// <summary>
/// The <c>pc</c> machine's devices wired together (QEMU's <c>pc</c>/PIIX board): one
/// <see cref="VirtualClock"/>, the port and MMIO buses, 8259 PICs, PIT, RTC/CMOS, COM1-COM4 (those asked for), i8042,
/// port 0x92, ACPI PM block, PCI host (with 0xCF9), fw_cfg, debugcon, isa-debug-exit, HPET, IOAPIC
/// and the BSP's local APIC, plus the ACPI/MP tables in RAM. Devices belong to the vCPU thread;
/// other threads reach them only through <see cref="Post"/>.
/// </summary>
public sealed class PcPlatform
{
    /// <summary>ISA IRQ → IOAPIC GSI: the identity except IRQ 0 (the PIT) on GSI 2, as the MADT override says.</summary>
    private const int TimerGsi = 2;

    private readonly PcPlatformOptions _options;
    private readonly ConcurrentQueue<Action> _work = new();
    private readonly InterruptFanOut[] _isaIrqs = new InterruptFanOut[DualPic.Irqs];
    private readonly InterruptGate _pitOutput;
    private readonly InterruptGate _rtcOutput;
    private readonly PcLegacyCallbacks _legacyCallbacks;
    private readonly Uart16550?[] _serialPorts = new Uart16550?[PcSerialPorts.Count];
    private PcLegacyDevices _legacy;
    private Action? _endSlice;

    public PcPlatform(PcPlatformOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.CpuCount != 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.CpuCount, "the pc platform supports one vCPU for now");
        }

        _options = options;
        Clock = new VirtualClock(options.HostNanoseconds, options.WallAtZero);
        Tsc = new ClockTimeSource(Clock);

        ApicBus = new ApicBus();
        LocalApic = new LocalApic(Clock, Tsc) { Bus = ApicBus };
        ApicBus.Attach(LocalApic);
        IoApic = new IoApic(ApicBus);
        LocalApic.EndOfInterruptBroadcast = IoApic.EndOfInterrupt;
        Mmio.Register(LocalApic.BaseAddress, LocalApic.PageSize, LocalApic, "lapic");
        Mmio.Register(IoApic.DefaultBase, IoApic.PageSize, IoApic, "ioapic");

        LocalApic.ExternalAcknowledge = () => Pic.Acknowledge();
        for (int irq = 0; irq < DualPic.Irqs; irq++)
        {
            _isaIrqs[irq] = new InterruptFanOut(new PicLine(() => Pic, irq), IoApic.Pins[irq == 0 ? TimerGsi : irq]);
        }

        // The HPET in legacy replacement mode takes IRQ 0 and 8 from the PIT and the RTC.
        _pitOutput = new InterruptGate(_isaIrqs[0]);
        _rtcOutput = new InterruptGate(_isaIrqs[8]);
        Hpet = new Hpet(Clock)
        {
            LegacyIrq0 = _isaIrqs[0],
            LegacyIrq8 = _isaIrqs[8],
            LegacyReplacementChanged = on =>
            {
                _pitOutput.Connected = !on;
                _rtcOutput.Connected = !on;
            },
        };
        Hpet.ConnectRoute(TimerGsi, IoApic.Pins[TimerGsi]);
        Mmio.Register(Hpet.DefaultBase, Hpet.PageSize, Hpet, "hpet");

        _legacyCallbacks = new PcLegacyCallbacks(enabled => options.A20Changed?.Invoke(enabled), RequestReset, RequestPowerOff);
        _legacy = BuildLegacyDevices();
        Ports.Register(DualPic.MasterRange, new PortSlot(() => Pic.Master), "pic-master");
        Ports.Register(DualPic.SlaveRange, new PortSlot(() => Pic.Slave), "pic-slave");
        Ports.Register(DualPic.ElcrRange, new PortSlot(() => Pic.Elcr), "elcr");
        Ports.Register(Pit8254.Range, new PortSlot(() => Pit), "pit");
        Ports.Register(SystemControlPortB.Range, new PortSlot(() => _legacy.PortB), "port61");
        Ports.Register(Mc146818Rtc.Range, new PortSlot(() => Rtc), "rtc");
        Ports.Register(Kbc8042.DataRange, new PortSlot(() => Keyboard.DataPort), "i8042-data");
        Ports.Register(Kbc8042.CommandRange, new PortSlot(() => Keyboard.CommandPort), "i8042-cmd");
        Ports.Register(SystemControlPortA.Range, new PortSlot(() => _legacy.PortA), "port92");
        Ports.Register(new PortRange(AcpiPmDevice.DefaultBase, AcpiPmDevice.BlockLength), new PortSlot(() => Pm), "acpi-pm");

        List<int> serialIndexes = AddSerialPorts(options.SerialPorts ?? [options.Com1Transmit ?? Discard, options.Com2Transmit ?? Discard]);

        Pci = new PciHost();
        Pci.Register(Ports, new ResetControlRegister(RequestReset));

        FwCfg = new FwCfgDevice(options.Memory);
        ulong ramSize = options.Layout.BelowFourGiB + options.Layout.AboveFourGiB;
        FwCfg.SetMachine(ramSize, (ushort)options.CpuCount, (ushort)options.CpuCount);
        FwCfg.Register(Ports);

        if (options.DebugConsole is { } debugcon)
        {
            Ports.Register(Platform.DebugConsole.Range, new DebugConsole(debugcon), "debugcon");
        }

        if (options.IsaDebugExit)
        {
            Ports.Register(new PortRange(options.IsaDebugExitBase, options.IsaDebugExitSize), new IsaDebugExit(RequestExit), "isa-debug-exit");
        }

        Span<byte> capabilities = stackalloc byte[4];
        Hpet.Read(0, capabilities);
        FirmwareConfig = new PcFirmwareConfig
        {
            CpuCount = options.CpuCount,
            HpetEventTimerBlockId = BitConverter.ToUInt32(capabilities),
            VirtioMmioDevices = options.VirtioMmioDevices,
            SerialPorts = serialIndexes,
        };
        FirmwareTables = PcFirmwareTables.Build(FirmwareConfig);
        WriteFirmwareTables();
    }

    public VirtualClock Clock { get; }

    /// <summary>The TSC's time source (the vCPU's <see cref="SystemServices.Time"/>).</summary>
    public ClockTimeSource Tsc { get; }

    public IoPortBus Ports { get; } = new();

    public MmioBus Mmio { get; } = new();

    /// <summary>Parks the halted vCPU thread; <see cref="Post"/> signals it.</summary>
    public VcpuWakeup Wakeup { get; } = new();

    public ApicBus ApicBus { get; }

    /// <summary>The BSP's machine-check banks (its <see cref="SystemServices.MachineCheck"/>): reset with the board, as QEMU's CPU reset clears MCG_STATUS.</summary>
    public MachineCheckBanks MachineCheck { get; } = new();

    /// <summary>The BSP's local APIC.</summary>
    public LocalApic LocalApic { get; }

    public IoApic IoApic { get; }

    public DualPic Pic => _legacy.Pic;

    public Hpet Hpet { get; }

    public Pit8254 Pit => _legacy.Pit;

    public Mc146818Rtc Rtc => _legacy.Rtc;

    /// <summary>COM1-COM4 (index 0-3); null where the board has no such port.</summary>
    public IReadOnlyList<Uart16550?> SerialPorts => _serialPorts;

    public Uart16550? Com1 => _serialPorts[0];

    public Uart16550? Com2 => _serialPorts[1];

    public Uart16550? Com3 => _serialPorts[2];

    public Uart16550? Com4 => _serialPorts[3];

    public Kbc8042 Keyboard => _legacy.Keyboard;

    public AcpiPmDevice Pm => _legacy.Pm;

    public PciHost Pci { get; }

    public FwCfgDevice FwCfg { get; }

    public PcFirmwareConfig FirmwareConfig { get; }

    /// <summary>The ACPI/MP image written to RAM (its <see cref="PcFirmwareTables.RsdpAddress"/> goes in boot_params).</summary>
    public PcFirmwareTables FirmwareTables { get; }

    /// <summary>What the guest last asked for that ends the current run (cleared by <see cref="Reset"/>).</summary>
    public PcStopReason StopRequest { get; private set; }

    /// <summary>The isa-debug-exit status when <see cref="StopRequest"/> is <see cref="PcStopReason.DebugExit"/>.</summary>
    public int ExitCode { get; private set; }

    /// <summary>The earliest timer deadline in guest nanoseconds, or null when no timer is armed.</summary>
    public long? NextDeadline => Clock.NextDeadline;

    /// <summary>The ISA IRQ line <paramref name="irq"/> (both the PIC and the IOAPIC input), for devices added later.</summary>
    public IInterruptLine IsaIrq(int irq) => _isaIrqs[irq];

    /// <summary>The IOAPIC input of an attached PCI function's INTx (level, active-low, as the DSDT's _PRT says); null: it has no INTx pin.</summary>
    public IInterruptLine? PciInterrupt(int slot, int function) =>
        Pci.Bus.InterruptGsi(slot, function) is { } gsi ? IoApic.Pins[gsi] : null;

    /// <summary>Once every PCI function is attached and before the first instruction: BARs in the PCI hole and I/O from 0xC000, as firmware would.</summary>
    public void AssignPciResources() =>
        new PciBarAllocator(FirmwareConfig.PciMmioBase, FirmwareConfig.PciMmioEnd).AssignAll(Pci.Bus);

    /// <summary>The vCPU's system services: CPUID (with TSC-deadline), the TSC, the port bus, the board's MSRs (<see cref="PcModelSpecificRegisters"/>) and CR8.</summary>
    public SystemServices CreateSystemServices(Vcpu vcpu)
    {
        ArgumentNullException.ThrowIfNull(vcpu);
        return new SystemServices(new CpuidModel(vcpu.Model, (uint)vcpu.Index) { TscDeadlineTimer = true }, Tsc)
        {
            Ports = Ports,
            MsrExtension = new PcModelSpecificRegisters(LocalApic),
            TaskPriority = LocalApic,
            MachineCheck = MachineCheck,
        };
    }

    /// <summary>Connects an interpreter built on <see cref="CreateSystemServices"/> to the LAPIC; exceptions go through the IDT.</summary>
    public void ConfigureVcpu(Interpreter interpreter)
    {
        ArgumentNullException.ThrowIfNull(interpreter);
        interpreter.Interrupts = LocalApic;
        interpreter.DeliverExceptions = true;
        _endSlice = interpreter.RequestExit;
    }

    /// <summary>Thread-safe: runs <paramref name="work"/> on the vCPU thread before its next slice and wakes it.</summary>
    public void Post(Action work)
    {
        ArgumentNullException.ThrowIfNull(work);
        _work.Enqueue(work);
        Wakeup.Signal();
    }

    /// <summary>vCPU thread: runs posted work, then expired timers; returns whether anything ran.</summary>
    public bool RunTimers()
    {
        int ran = 0;
        while (_work.TryDequeue(out Action? work))
        {
            work();
            ran++;
        }

        return ran + Clock.RunExpired() > 0;
    }

    /// <summary>Freezes guest time (the devices' timers with it). Thread-safe.</summary>
    public void Pause() => Clock.Pause();

    /// <summary>Guest time goes on. Thread-safe.</summary>
    public void Resume() => Clock.Resume();

    /// <summary>
    /// vCPU thread, for system_reset (QEMU's qemu_devices_reset): PICs, PIT, RTC, i8042, ports 61h/92h
    /// and the PM block are built anew (the old ones' timers cancelled), the new RTC continuing the old
    /// one's date and CMOS RAM (<see cref="Mc146818Rtc.ContinueFrom"/>); the UARTs, LAPIC, IOAPIC,
    /// HPET and the machine-check status reset in place; the tables rewritten, the stop request
    /// cleared. fw_cfg items and PCI functions keep their state; the vCPU itself is the machine's to
    /// reset. Device references taken earlier (<see cref="Pic"/>, <see cref="Pit"/>, <see cref="Rtc"/>,
    /// <see cref="Keyboard"/>, <see cref="Pm"/>) go stale.
    /// </summary>
    public void Reset()
    {
        PcLegacyDevices previous = _legacy;
        previous.Clock.Retire();
        _legacy = BuildLegacyDevices();
        LocalApic.Lint0.Set(false);
        foreach (int irq in (int[])[0, 1, 2, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15])
        {
            // Lines the replaced devices left asserted; the UARTs (IRQ 3, 4) lower theirs as they reset.
            _isaIrqs[irq].Set(false);
        }

        _legacy.Rtc.ContinueFrom(previous.Rtc);
        foreach (Uart16550? uart in _serialPorts)
        {
            uart?.Reset();
        }

        LocalApic.Reset();
        MachineCheck.Reset();
        IoApic.Reset();
        Hpet.Reset();
        _pitOutput.Connected = true;
        _rtcOutput.Connected = true;
        WriteFirmwareTables();
        StopRequest = PcStopReason.None;
        ExitCode = 0;
    }

    /// <summary>vCPU thread: the processor shut down; the loop ends with <see cref="PcStopReason.TripleFault"/>.</summary>
    public void RequestStop(PcStopReason reason)
    {
        if (StopRequest == PcStopReason.None)
        {
            StopRequest = reason;

            // No guest code runs after the write that ended the run (a test's exit code is its last word).
            _endSlice?.Invoke();
        }
    }

    private void WriteFirmwareTables()
    {
        if (_options.FirmwareTablesInRam)
        {
            FirmwareTables.WriteTo(_options.Memory);
        }
    }

    private PcLegacyDevices BuildLegacyDevices()
    {
        var devices = new PcLegacyDevices(Clock, Clock.WallTime.UtcDateTime, LocalApic.Lint0, irq => _isaIrqs[irq], _pitOutput, _rtcOutput, _legacyCallbacks);
        devices.Rtc.SetMemorySizes(_options.Layout.BelowFourGiB, _options.Layout.AboveFourGiB);
        return devices;
    }

    private static void Discard(byte value)
    {
    }

    /// <summary>The UARTs asked for, each on its COM port's address; UARTs sharing an IRQ drive it wired-OR. Returns their indexes.</summary>
    private List<int> AddSerialPorts(IReadOnlyList<Action<byte>?> transmitters)
    {
        if (transmitters.Count > PcSerialPorts.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(transmitters), transmitters.Count, $"the pc machine has at most {PcSerialPorts.Count} COM ports");
        }

        var sharedIrqs = new Dictionary<int, WiredOrLine>();
        List<int> present = [];
        for (int index = 0; index < transmitters.Count; index++)
        {
            if (transmitters[index] is not { } transmit)
            {
                continue;
            }

            int irq = PcSerialPorts.Irq(index);
            if (!sharedIrqs.TryGetValue(irq, out WiredOrLine? line))
            {
                line = new WiredOrLine(_isaIrqs[irq]);
                sharedIrqs.Add(irq, line);
            }

            Uart16550? uart = null;
            uart = new Uart16550(Clock, line.AddInput(), transmit, () => Post(() => uart?.PollReceive()));
            Ports.Register(Uart16550.RangeAt(PcSerialPorts.BasePort(index)), uart, $"com{index + 1}");
            _serialPorts[index] = uart;
            present.Add(index);
        }

        return present;
    }

    private void RequestReset()
    {
        RequestStop(PcStopReason.Reset);
        _options.Reset?.Invoke();
    }

    private void RequestPowerOff()
    {
        RequestStop(PcStopReason.PowerOff);
        _options.PowerOff?.Invoke();
    }

    private void RequestExit(int code)
    {
        if (StopRequest == PcStopReason.None)
        {
            ExitCode = code;
        }

        RequestStop(PcStopReason.DebugExit);
        _options.Exit?.Invoke(code);
    }
}
