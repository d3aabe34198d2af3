using System.Buffers.Binary;
using Emulator.Cpu;

namespace Emulator.Platform;

/// <summary>
/// One xAPIC (Intel SDM vol. 3, chapter 10), as QEMU's apic.c: the 4 KiB register page, IRR/ISR/TMR
/// and the priority rules, six LVT entries with LINT0 as the PIC's virtual wire (ExtINT), the timer
/// (one-shot, periodic, TSC-deadline) on the <see cref="IDeviceClock"/> and self/fixed IPIs. It is the
/// vCPU's <see cref="IInterruptController"/>, its CR8 (<see cref="ITaskPriorityRegister"/>) and
/// the owner of IA32_TSC_DEADLINE (<see cref="IModelSpecificRegisterExtension"/>). vCPU thread only.
/// </summary>
public sealed partial class LocalApic : IMmioDevice, IInterruptController, ITaskPriorityRegister, IModelSpecificRegisterExtension
{
    /// <summary>Size of the register page.</summary>
    public const ulong PageSize = 0x1000;

    private const int LvtCount = 6;
    private const int TimerLvt = 0;
    private const int ThermalLvt = 1;
    private const int PerformanceLvt = 2;
    private const int Lint0Lvt = 3;
    private const int Lint1Lvt = 4;
    private const int ErrorLvt = 5;

    private const uint EsrSendIllegalVector = 1u << 5;
    private const uint EsrReceiveIllegalVector = 1u << 6;
    private const uint EsrIllegalRegister = 1u << 7;

    private readonly ApicVectorSet _irr = new();
    private readonly ApicVectorSet _isr = new();
    private readonly ApicVectorSet _tmr = new();
    private readonly uint[] _lvt = new uint[LvtCount];
    private uint _tpr;
    private uint _ldr;
    private uint _dfr;
    private uint _svr;
    private uint _esr;
    private uint _pendingEsr;
    private uint _icrLow;
    private uint _icrHigh;
    private bool _nmiPending;

    public LocalApic(IDeviceClock clock, ClockTimeSource tsc, byte id = 0, bool bootstrapProcessor = true)
    {
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(tsc);
        _clock = clock;
        _tsc = tsc;
        _timer = clock.CreateTimer(TimerExpired);
        Id = id;
        BaseMsr = ApicBaseBits.DefaultBase | ApicBaseBits.Enable | (bootstrapProcessor ? ApicBaseBits.Bsp : 0);
        Lint0 = new InterruptPin(level => LintChanged(Lint0Lvt, level));
        Lint1 = new InterruptPin(level => LintChanged(Lint1Lvt, level));
        Reset();
    }

    public byte Id { get; private set; }

    /// <summary>IA32_APIC_BASE as last written (the CPU validates writes; <see cref="Written"/> mirrors them here).</summary>
    public ulong BaseMsr { get; private set; }

    /// <summary>The register page's physical address (IA32_APIC_BASE bits 35:12).</summary>
    public ulong BaseAddress => BaseMsr & ~0xFFFUL & 0x000F_FFFF_FFFF_F000;

    /// <summary>Globally enabled (IA32_APIC_BASE bit 11); when clear, LINT0 is the PIC's wire straight to INTR.</summary>
    public bool HardwareEnabled => (BaseMsr & ApicBaseBits.Enable) != 0;

    /// <summary>Software enabled (SVR bit 8).</summary>
    public bool SoftwareEnabled => (_svr & LocalApicRegister.SvrEnable) != 0;

    /// <summary>LINT0: the 8259 PIC's INTR output is wired here (virtual-wire mode when LVT LINT0 is ExtINT).</summary>
    public InterruptPin Lint0 { get; }

    /// <summary>LINT1: conventionally the NMI wire.</summary>
    public InterruptPin Lint1 { get; }

    /// <summary>The INTA cycle of the 8259 behind LINT0 (its vector), used for ExtINT; null: none connected.</summary>
    public Func<int>? ExternalAcknowledge { get; set; }

    /// <summary>Where an EOI of a level-triggered vector is broadcast (the IOAPICs clear remote IRR).</summary>
    public Action<byte>? EndOfInterruptBroadcast { get; set; }

    /// <summary>Where IPIs to other APICs go; null: only self IPIs are delivered.</summary>
    public ApicBus? Bus { get; set; }

    /// <summary>Called with the new base when the guest relocates the page; the MMIO mapping is the machine's.</summary>
    public Action<ulong>? Relocated { get; set; }

    /// <summary>The processor priority (SDM 10.8.3.1).</summary>
    public uint ProcessorPriority
    {
        get
        {
            int isrv = _isr.Highest();
            uint isrClass = isrv < 0 ? 0 : (uint)isrv & 0xF0;
            return (_tpr & 0xF0) >= isrClass ? _tpr : isrClass;
        }
    }

    public uint TaskPriority => _tpr;

    public ulong Cr8
    {
        get => (_tpr >> 4) & 0xF;
        set => _tpr = (uint)(value & 0xF) << 4;
    }

    /// <summary>The interrupt the LINT0 virtual wire carries now.</summary>
    private bool ExternalInterruptRequested =>
        Lint0.Level && (!HardwareEnabled || ((_lvt[Lint0Lvt] & LocalApicRegister.LvtMasked) == 0 && DeliveryMode(_lvt[Lint0Lvt]) == ApicDeliveryMode.ExtInt));

    public bool HasPendingInterrupt
    {
        get
        {
            if (ExternalInterruptRequested)
            {
                return true;
            }

            if (!HardwareEnabled || !SoftwareEnabled)
            {
                return false;
            }

            int vector = _irr.Highest();
            return vector >= 0 && ((uint)vector & 0xF0) > (ProcessorPriority & 0xF0);
        }
    }

    public bool HasPendingNmi => _nmiPending;

    public void AcknowledgeNmi() => _nmiPending = false;

    public int AcknowledgeInterrupt()
    {
        if (ExternalInterruptRequested)
        {
            return ExternalAcknowledge?.Invoke() ?? -1;
        }

        if (!HardwareEnabled || !SoftwareEnabled)
        {
            return -1;
        }

        int vector = _irr.Highest();
        if (vector < 0)
        {
            return -1;
        }

        // Raised priority since the request: the CPU still runs an INTA cycle and gets the spurious vector.
        if (((uint)vector & 0xF0) <= (ProcessorPriority & 0xF0))
        {
            return (int)(_svr & 0xFF);
        }

        _irr[vector] = false;
        _isr[vector] = true;
        return vector;
    }

    /// <summary>Power-on/INIT state (SDM 10.4.7.1): everything masked (but the BSP's LINT0, see below), software disabled, DFR all ones.</summary>
    public void Reset()
    {
        _irr.Clear();
        _isr.Clear();
        _tmr.Clear();
        Array.Fill(_lvt, LocalApicRegister.LvtMasked);

        // As QEMU's apic_reset_common: the BSP's LINT0 starts as the PIC's virtual wire (ExtINT, unmasked),
        // the state the BIOS leaves, so 8259 interrupts reach a CPU whose APIC is enabled but not yet set up.
        if ((BaseMsr & ApicBaseBits.Bsp) != 0)
        {
            _lvt[Lint0Lvt] = (uint)ApicDeliveryMode.ExtInt << 8;
        }
        _tpr = 0;
        _ldr = 0;
        _dfr = 0xFFFF_FFFF;
        _svr = 0xFF;
        _esr = 0;
        _pendingEsr = 0;
        _icrLow = 0;
        _icrHigh = 0;
        _nmiPending = false;
        ResetTimer();
    }

    /// <summary>Whether a message for <paramref name="destination"/> reaches this APIC (SDM 10.6.2).</summary>
    public bool MatchesDestination(byte destination, bool logical)
    {
        if (!logical)
        {
            return destination == 0xFF || destination == Id;
        }

        byte logicalId = (byte)(_ldr >> 24);
        if (destination == 0xFF)
        {
            return true;
        }

        // DFR model 1111b is flat, 0000b cluster (high nibble = cluster, low nibble = members).
        return (_dfr >> 28) == 0xF
            ? (logicalId & destination) != 0
            : (logicalId >> 4) == (destination >> 4) && (logicalId & destination & 0xF) != 0;
    }

    /// <summary>Accepts one interrupt message addressed to this APIC.</summary>
    public void Accept(ApicMessage message)
    {
        switch (message.Mode)
        {
            case ApicDeliveryMode.Fixed or ApicDeliveryMode.LowestPriority:
                AcceptFixed(message.Vector, message.LevelTriggered);
                break;
            case ApicDeliveryMode.Nmi:
                _nmiPending = true;
                break;

            // SMI, INIT and start-up need SMM and SMP; ExtINT arrives on LINT0, not as a message.
            default:
                break;
        }
    }

    public void Read(ulong offset, Span<byte> destination)
    {
        Span<byte> value = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(value, HardwareEnabled ? ReadRegister((int)(offset & 0xFF0)) : 0);
        int start = (int)(offset & 0xF);
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = start + i < 4 ? value[start + i] : (byte)0;
        }
    }

    public void Write(ulong offset, ReadOnlySpan<byte> source)
    {
        // Registers are 32 bits wide at 16-byte strides: other accesses are undefined, dropped here.
        if (!HardwareEnabled || source.Length != 4 || (offset & 0xF) != 0)
        {
            return;
        }

        WriteRegister((int)offset, BinaryPrimitives.ReadUInt32LittleEndian(source));
    }

    public bool TryRead(SystemServices system, uint index, out ulong value)
    {
        value = 0;
        if (index != MsrIndex.TscDeadline)
        {
            return false;
        }

        value = TscDeadline;
        return true;
    }

    public bool TryWrite(SystemServices system, uint index, ulong value)
    {
        ArgumentNullException.ThrowIfNull(system);
        if (index != MsrIndex.TscDeadline)
        {
            return false;
        }

        WriteTscDeadline(value, system.TscOffset);
        return true;
    }

    public void Written(uint index, ulong value)
    {
        if (index != MsrIndex.ApicBase)
        {
            return;
        }

        ulong oldBase = BaseAddress;
        bool wasEnabled = HardwareEnabled;
        BaseMsr = value;
        if (wasEnabled && !HardwareEnabled)
        {
            // Clearing the global enable is like a reset that leaves the APIC off (SDM 10.4.3).
            Reset();
        }

        if (BaseAddress != oldBase)
        {
            Relocated?.Invoke(BaseAddress);
        }
    }

    private static ApicDeliveryMode DeliveryMode(uint value) => (ApicDeliveryMode)((value >> 8) & 7);

    private void AcceptFixed(byte vector, bool levelTriggered)
    {
        if (vector < 16)
        {
            RaiseError(EsrReceiveIllegalVector);
            return;
        }

        _irr[vector] = true;
        _tmr[vector] = levelTriggered;
    }

    private void RaiseError(uint bits)
    {
        _pendingEsr |= bits;
        uint lvt = _lvt[ErrorLvt];
        if ((lvt & LocalApicRegister.LvtMasked) == 0 && (byte)lvt >= 16)
        {
            _irr[(byte)lvt] = true;
            _tmr[(byte)lvt] = false;
        }
    }

    /// <summary>An LVT entry fires (timer, LINT, error): fixed vectors and NMIs; masked entries do nothing.</summary>
    private void DeliverLocal(int lvtIndex)
    {
        uint lvt = _lvt[lvtIndex];
        if ((lvt & LocalApicRegister.LvtMasked) != 0)
        {
            return;
        }

        ApicDeliveryMode mode = lvtIndex == TimerLvt ? ApicDeliveryMode.Fixed : DeliveryMode(lvt);
        switch (mode)
        {
            case ApicDeliveryMode.Fixed:
                AcceptFixed((byte)lvt, levelTriggered: false);
                break;
            case ApicDeliveryMode.Nmi:
                _nmiPending = true;
                break;
            default:
                break;
        }
    }

    private void LintChanged(int lvtIndex, bool level)
    {
        // ExtINT is sampled live by HasPendingInterrupt; other modes take the rising edge.
        if (level && DeliveryMode(_lvt[lvtIndex]) != ApicDeliveryMode.ExtInt)
        {
            DeliverLocal(lvtIndex);
        }
    }

    private uint ReadRegister(int register)
    {
        switch (register)
        {
            case LocalApicRegister.Id: return (uint)Id << 24;
            case LocalApicRegister.Version: return LocalApicRegister.VersionValue;
            case LocalApicRegister.TaskPriority: return _tpr;
            case LocalApicRegister.ArbitrationPriority: return 0;
            case LocalApicRegister.ProcessorPriority: return ProcessorPriority;
            case LocalApicRegister.LogicalDestination: return _ldr;
            case LocalApicRegister.DestinationFormat: return _dfr;
            case LocalApicRegister.SpuriousVector: return _svr;
            case LocalApicRegister.ErrorStatus: return _esr;
            case LocalApicRegister.CommandLow: return _icrLow;
            case LocalApicRegister.CommandHigh: return _icrHigh;
            case >= LocalApicRegister.LvtTimer and <= LocalApicRegister.LvtError:
                return _lvt[(register - LocalApicRegister.LvtTimer) >> 4];
            case LocalApicRegister.InitialCount: return _initialCount;
            case LocalApicRegister.CurrentCount: return CurrentCount;
            case LocalApicRegister.DivideConfiguration: return _divideConfiguration;
            case >= LocalApicRegister.InService and < LocalApicRegister.TriggerMode:
                return _isr.Word((register - LocalApicRegister.InService) >> 4);
            case >= LocalApicRegister.TriggerMode and < LocalApicRegister.InterruptRequest:
                return _tmr.Word((register - LocalApicRegister.TriggerMode) >> 4);
            case >= LocalApicRegister.InterruptRequest and < LocalApicRegister.ErrorStatus:
                return _irr.Word((register - LocalApicRegister.InterruptRequest) >> 4);
            default: return 0;
        }
    }

    private void WriteRegister(int register, uint value)
    {
        switch (register)
        {
            case LocalApicRegister.Id:
                Id = (byte)(value >> 24);
                break;
            case LocalApicRegister.TaskPriority:
                _tpr = value & 0xFF;
                break;
            case LocalApicRegister.EndOfInterrupt:
                EndOfInterrupt();
                break;
            case LocalApicRegister.LogicalDestination:
                _ldr = value & 0xFF00_0000;
                break;
            case LocalApicRegister.DestinationFormat:
                _dfr = value | 0x0FFF_FFFF;
                break;
            case LocalApicRegister.SpuriousVector:
                WriteSpuriousVector(value);
                break;
            case LocalApicRegister.ErrorStatus:
                _esr = _pendingEsr;
                _pendingEsr = 0;
                break;
            case LocalApicRegister.CommandLow:
                _icrLow = value & 0x000C_CFFF;
                SendInterprocessorInterrupt();
                break;
            case LocalApicRegister.CommandHigh:
                _icrHigh = value & 0xFF00_0000;
                break;
            case >= LocalApicRegister.LvtTimer and <= LocalApicRegister.LvtError:
                WriteLvt((register - LocalApicRegister.LvtTimer) >> 4, value);
                break;
            case LocalApicRegister.InitialCount:
                WriteInitialCount(value);
                break;
            case LocalApicRegister.DivideConfiguration:
                WriteDivideConfiguration(value);
                break;
            case LocalApicRegister.Version or LocalApicRegister.ArbitrationPriority or LocalApicRegister.ProcessorPriority
                or LocalApicRegister.RemoteRead or LocalApicRegister.CurrentCount:
                break;
            case >= LocalApicRegister.InService and < LocalApicRegister.ErrorStatus:
                break;
            default:
                RaiseError(EsrIllegalRegister);
                break;
        }
    }

    private void EndOfInterrupt()
    {
        int vector = _isr.Highest();
        if (vector < 0)
        {
            return;
        }

        _isr[vector] = false;
        if (_tmr[vector])
        {
            EndOfInterruptBroadcast?.Invoke((byte)vector);
        }
    }

    private void WriteSpuriousVector(uint value)
    {
        // Bits 3:0 of the spurious vector are hardwired to one on P6-class APICs; QEMU keeps all of 7:0.
        _svr = value & 0x1FF;
        if (!SoftwareEnabled)
        {
            for (int i = 0; i < LvtCount; i++)
            {
                _lvt[i] |= LocalApicRegister.LvtMasked;
            }
        }
    }

    private void WriteLvt(int index, uint value)
    {
        uint writable = index switch
        {
            TimerLvt => 0x7_00FFu,
            Lint0Lvt or Lint1Lvt => 0x1_A7FFu,
            ThermalLvt or PerformanceLvt => 0x1_07FFu,
            _ => 0x1_00FFu,
        };
        uint old = _lvt[index];
        uint next = (value & writable) | (old & (1u << 14));
        if (!SoftwareEnabled)
        {
            next |= LocalApicRegister.LvtMasked;
        }

        // Timer mode 11b is reserved: keep it within what the version advertises.
        if (index == TimerLvt && ((next >> 17) & 3) == 3)
        {
            next &= ~(1u << 18);
        }

        _lvt[index] = next;
        if (index == TimerLvt && ((old ^ next) & (3u << 17)) != 0)
        {
            TimerModeChanged();
        }

        if (index is Lint0Lvt or Lint1Lvt && (next & LocalApicRegister.LvtMasked) == 0 && (old & LocalApicRegister.LvtMasked) != 0)
        {
            InterruptPin pin = index == Lint0Lvt ? Lint0 : Lint1;
            if (pin.Level && (next & (1u << 15)) != 0)
            {
                LintChanged(index, true);
            }
        }
    }

    private void SendInterprocessorInterrupt()
    {
        var mode = (ApicDeliveryMode)((_icrLow >> 8) & 7);
        byte vector = (byte)_icrLow;
        bool levelTriggered = false;
        if (mode is ApicDeliveryMode.Fixed or ApicDeliveryMode.LowestPriority && vector < 16)
        {
            RaiseError(EsrSendIllegalVector);
            return;
        }

        var message = new ApicMessage(vector, mode, (byte)(_icrHigh >> 24), (_icrLow & (1u << 11)) != 0, levelTriggered);
        switch ((_icrLow >> 18) & 3)
        {
            case 0:
                if (Bus is { } bus)
                {
                    bus.Send(message);
                }
                else if (MatchesDestination(message.Destination, message.Logical))
                {
                    Accept(message);
                }

                break;
            case 1:
                Accept(message);
                break;
            case 2:
                Accept(message);
                Bus?.Send(message with { Destination = 0xFF, Logical = false }, exclude: this);
                break;
            default:
                Bus?.Send(message with { Destination = 0xFF, Logical = false }, exclude: this);
                break;
        }
    }
}
