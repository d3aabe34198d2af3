namespace Emulator.Platform;

/// <summary>
/// The Motorola MC146818 real-time clock and 128-byte CMOS RAM at 0x70 (index, bit 7 masks NMI) and
/// 0x71 (data). The date starts at the wall-clock time the machine passes in and advances with the
/// virtual clock; the guest may set it (SET bit). Flags of register C are computed lazily from the
/// virtual clock when read, and timers run only while an interrupt that needs them is enabled, so an
/// idle RTC costs nothing. IRQ 8 is held high while register C's IRQF is set (read C to lower it).
/// </summary>
public sealed class Mc146818Rtc : IPortDevice
{
    public const int CenturyIndex = 0x32;

    private const byte RegA = 0x0A;
    private const byte RegB = 0x0B;
    private const byte RegC = 0x0C;
    private const byte RegD = 0x0D;
    private const byte ShutdownStatus = 0x0F;
    private const byte ShutdownResumeFromSuspend = 0xFE;
    private const byte BSet = 0x80;
    private const byte BPie = 0x40;
    private const byte BAie = 0x20;
    private const byte BUie = 0x10;
    private const byte BSqwe = 0x08;
    private const byte BBinary = 0x04;
    private const byte B24Hour = 0x02;
    private const byte CIrqf = 0x80;
    private const byte CPf = 0x40;
    private const byte CAf = 0x20;
    private const byte CUf = 0x10;
    private const long UipWindowTicks = 2_440; // 244 us before each update, in DateTime ticks

    private readonly IDeviceClock _clock;
    private readonly IInterruptLine _irq;
    private readonly IDeviceTimer _periodicTimer;
    private readonly IDeviceTimer _secondTimer;
    private readonly byte[] _cmos = new byte[128];
    private long _baseTicks;
    private long _baseNs;
    private long _lastSecond;
    private long _periodAnchorNs;
    private long _lastPeriod;
    private byte _index;
    private bool _irqLevel;

    public Mc146818Rtc(IDeviceClock clock, IInterruptLine irq8, DateTime start)
    {
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(irq8);
        _clock = clock;
        _irq = irq8;
        _periodicTimer = clock.CreateTimer(OnTimer);
        _secondTimer = clock.CreateTimer(OnTimer);
        _cmos[RegA] = 0x26;
        _cmos[RegB] = B24Hour;
        _cmos[RegD] = 0x80;
        Rebase(start.Ticks);
    }

    public static PortRange Range => new(0x70, 2);

    /// <summary>Bit 7 of the last index write: NMIs are masked.</summary>
    public bool NmiMasked { get; private set; }

    /// <summary>The RTC's current date and time (what the guest would read).</summary>
    public DateTime Now => new(CurrentTicks());

    /// <summary>Reads a CMOS byte without side effects (for the machine and tests).</summary>
    public byte GetCmos(int index) => _cmos[index & 0x7F];

    /// <summary>Sets a CMOS RAM byte (0x0E-0x7F), as the machine does for firmware before start.</summary>
    public void SetCmos(int index, byte value)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(index, 0x0E);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(index, 0x7F);
        _cmos[index] = value;
    }

    /// <summary>
    /// System reset (QEMU's rtc_reset): this RTC, freshly built on the new generation's clock, takes
    /// over <paramref name="previous"/>'s date and all of its CMOS RAM, then applies what a reset
    /// changes: register B loses PIE, AIE and SQWE, register C's flags clear (IRQ 8 drops), and the
    /// shutdown status byte (0Fh) clears unless it says resume-from-suspend (FEh). UIE, the rate, the
    /// date and the NVRAM are kept, as in QEMU.
    /// </summary>
    public void ContinueFrom(Mc146818Rtc previous)
    {
        ArgumentNullException.ThrowIfNull(previous);
        previous._cmos.CopyTo(_cmos, 0);
        _baseTicks = previous._baseTicks;
        _baseNs = previous._baseNs;
        _periodAnchorNs = previous._periodAnchorNs;
        _index = previous._index;
        NmiMasked = previous.NmiMasked;

        // Updates and periods that passed before the reset are not reported after it.
        _lastSecond = CurrentTicks() / TimeSpan.TicksPerSecond;
        _lastPeriod = Rate != 0 ? PeriodIndex(_clock.Now) : 0;
        if (_cmos[ShutdownStatus] != ShutdownResumeFromSuspend)
        {
            _cmos[ShutdownStatus] = 0;
        }

        _cmos[RegB] &= unchecked((byte)~(BPie | BAie | BSqwe));
        _cmos[RegC] = 0;
        UpdateIrq();
        PlanTimers();
    }

    /// <summary>Fills the memory-size bytes the way QEMU's pc_cmos_init does (SeaBIOS reads them).</summary>
    public void SetMemorySizes(ulong belowFourGiB, ulong aboveFourGiB)
    {
        const ulong KiB = 1024;
        const ulong MiB = 1024 * KiB;
        ulong baseKiB = Math.Min(belowFourGiB / KiB, 640);
        SetWord(0x15, baseKiB);
        ulong extended = belowFourGiB > MiB ? Math.Min((belowFourGiB - MiB) / KiB, 0xFFFF) : 0;
        SetWord(0x17, extended);
        SetWord(0x30, extended);
        ulong above16M = belowFourGiB > 16 * MiB ? Math.Min((belowFourGiB - (16 * MiB)) / (64 * KiB), 0xFFFF) : 0;
        SetWord(0x34, above16M);
        ulong high = aboveFourGiB / (64 * KiB);
        SetWord(0x5B, high);
        _cmos[0x5D] = (byte)(high >> 16);
    }

    public uint Read(ushort offset, int size)
    {
        if ((offset & 1) == 0)
        {
            return 0xFF;
        }

        switch (_index)
        {
            case RegA:
                return (uint)(_cmos[RegA] | (UpdateInProgress() ? 0x80 : 0));
            case RegC:
                CatchUp();
                byte flags = _cmos[RegC];
                _cmos[RegC] = 0;
                UpdateIrq();
                PlanTimers();
                return flags;
            case RegD:
                return 0x80;
            default:
                return IsTimeRegister(_index) && (_cmos[RegB] & BSet) == 0 ? TimeRegister(_index, CurrentTicks()) : _cmos[_index];
        }
    }

    public void Write(ushort offset, int size, uint value)
    {
        byte v = (byte)value;
        if ((offset & 1) == 0)
        {
            _index = (byte)(v & 0x7F);
            NmiMasked = (v & 0x80) != 0;
            return;
        }

        switch (_index)
        {
            case RegA:
                CatchUp();
                if (((_cmos[RegA] ^ v) & 0x0F) != 0)
                {
                    _periodAnchorNs = _clock.Now;
                    _lastPeriod = 0;
                }

                _cmos[RegA] = (byte)(v & 0x7F);
                break;
            case RegB:
                WriteB(v);
                break;
            case RegC:
            case RegD:
                return;
            default:
                if (IsTimeRegister(_index) && (_cmos[RegB] & BSet) == 0)
                {
                    // Setting one field while the clock runs: take the running time, change the field, restart.
                    SnapshotTime();
                    _cmos[_index] = v;
                    Rebase(ParseTime());
                }
                else
                {
                    _cmos[_index] = v;
                }

                break;
        }

        PlanTimers();
    }

    private void WriteB(byte v)
    {
        CatchUp();
        bool wasSet = (_cmos[RegB] & BSet) != 0;
        bool set = (v & BSet) != 0;
        if (set && !wasSet)
        {
            SnapshotTime();
        }

        // SET halts updates and clears UIE (datasheet, register B bit 7).
        _cmos[RegB] = set ? (byte)(v & ~BUie) : v;
        if (!set && wasSet)
        {
            Rebase(ParseTime());
        }

        UpdateIrq();
    }

    private static bool IsTimeRegister(byte index) => index is <= 9 and not (1 or 3 or 5) || index == CenturyIndex;

    // Past 9999-12-31 the date wraps to year 1 rather than leave DateTime's range (a guest can set 9999).
    private long CurrentTicks() => (_baseTicks + ((_clock.Now - _baseNs) / 100)) % (DateTime.MaxValue.Ticks + 1);

    private bool UpdateInProgress() =>
        (_cmos[RegB] & BSet) == 0 && CurrentTicks() % TimeSpan.TicksPerSecond >= TimeSpan.TicksPerSecond - UipWindowTicks;

    private void Rebase(long ticks)
    {
        _baseTicks = ticks;
        _baseNs = _clock.Now;
        _lastSecond = ticks / TimeSpan.TicksPerSecond;
    }

    private void SnapshotTime()
    {
        long ticks = CurrentTicks();
        foreach (byte index in (ReadOnlySpan<byte>)[0, 2, 4, 6, 7, 8, 9, CenturyIndex])
        {
            _cmos[index] = TimeRegister(index, ticks);
        }
    }

    private byte TimeRegister(byte index, long ticks)
    {
        var t = new DateTime(ticks);
        return index switch
        {
            0 => Encode(t.Second),
            2 => Encode(t.Minute),
            4 => EncodeHour(t.Hour),
            6 => Encode((int)t.DayOfWeek + 1),
            7 => Encode(t.Day),
            8 => Encode(t.Month),
            9 => Encode(t.Year % 100),
            _ => Encode(t.Year / 100),
        };
    }

    /// <summary>The date the guest wrote into the time registers, clamped into range so garbage cannot fault.</summary>
    private long ParseTime()
    {
        int year = Math.Clamp((Decode(_cmos[CenturyIndex]) * 100) + Decode(_cmos[9]), 1, 9999);
        int month = Math.Clamp(Decode(_cmos[8]), 1, 12);
        int day = Math.Clamp(Decode(_cmos[7]), 1, DateTime.DaysInMonth(year, month));
        int hour = Math.Clamp(DecodeHour(_cmos[4]), 0, 23);
        int minute = Math.Clamp(Decode(_cmos[2]), 0, 59);
        int second = Math.Clamp(Decode(_cmos[0]), 0, 59);
        return new DateTime(year, month, day, hour, minute, second).Ticks;
    }

    private bool Binary => (_cmos[RegB] & BBinary) != 0;

    private byte Encode(int value) => Binary ? (byte)value : (byte)(((value / 10) << 4) | (value % 10));

    private int Decode(byte value) => Binary ? value : ((value >> 4) * 10) + (value & 0x0F);

    private byte EncodeHour(int hour)
    {
        if ((_cmos[RegB] & B24Hour) != 0)
        {
            return Encode(hour);
        }

        int h12 = hour % 12 == 0 ? 12 : hour % 12;
        return (byte)(Encode(h12) | (hour >= 12 ? 0x80 : 0));
    }

    private int DecodeHour(byte value)
    {
        if ((_cmos[RegB] & B24Hour) != 0)
        {
            return Decode(value);
        }

        return (Decode((byte)(value & 0x7F)) % 12) + ((value & 0x80) != 0 ? 12 : 0);
    }

    private void SetWord(int index, ulong value)
    {
        _cmos[index] = (byte)value;
        _cmos[index + 1] = (byte)(value >> 8);
    }

    private int Rate => _cmos[RegA] & 0x0F;

    /// <summary>Periodic interrupt period in units of 1/32768 s: RS 1 and 2 behave as 8 and 9 (datasheet table 3).</summary>
    private long PeriodUnits => 1L << ((Rate <= 2 ? Rate + 7 : Rate) - 1);

    private long PeriodIndex(long ns) => (long)((Int128)(ns - _periodAnchorNs) * 32768 / ((Int128)1_000_000_000 * PeriodUnits));

    private long PeriodStart(long index) =>
        _periodAnchorNs + (long)((((Int128)index * 1_000_000_000 * PeriodUnits) + 32767) / 32768);

    /// <summary>Sets the register C flags for every period end, update and alarm between the last look and now.</summary>
    private void CatchUp()
    {
        long now = _clock.Now;
        if (Rate != 0)
        {
            long period = PeriodIndex(now);
            if (period > _lastPeriod)
            {
                _cmos[RegC] |= CPf;
                _lastPeriod = period;
            }
        }

        long second = CurrentTicks() / TimeSpan.TicksPerSecond;
        if ((_cmos[RegB] & BSet) != 0 || second < _lastSecond)
        {
            _lastSecond = second;
        }
        else if (second > _lastSecond)
        {
            _cmos[RegC] |= CUf;
            // An alarm repeats at least daily, so the last day of seconds holds every match.
            for (long s = Math.Max(_lastSecond + 1, second - 86_399); s <= second; s++)
            {
                if (AlarmMatches(s * TimeSpan.TicksPerSecond))
                {
                    _cmos[RegC] |= CAf;
                    break;
                }
            }

            _lastSecond = second;
        }

        UpdateIrq();
    }

    private bool AlarmMatches(long ticks)
    {
        // DateTime ticks count from midnight, so the second of the day is a remainder.
        long secondOfDay = ticks / TimeSpan.TicksPerSecond % 86_400;
        return AlarmField(_cmos[1], Encode((int)(secondOfDay % 60)))
            && AlarmField(_cmos[3], Encode((int)(secondOfDay / 60 % 60)))
            && AlarmField(_cmos[5], EncodeHour((int)(secondOfDay / 3600)));
    }

    private static bool AlarmField(byte alarm, byte now) => (alarm & 0xC0) == 0xC0 || alarm == now;

    private void UpdateIrq()
    {
        byte b = _cmos[RegB];
        byte c = _cmos[RegC];
        bool irq = ((c & CPf) != 0 && (b & BPie) != 0) || ((c & CAf) != 0 && (b & BAie) != 0) || ((c & CUf) != 0 && (b & BUie) != 0);
        _cmos[RegC] = irq ? (byte)(c | CIrqf) : (byte)(c & ~CIrqf);
        if (irq != _irqLevel)
        {
            _irqLevel = irq;
            _irq.Set(irq);
        }
    }

    private void PlanTimers()
    {
        byte b = _cmos[RegB];
        if ((b & BPie) != 0 && Rate != 0 && !_irqLevel)
        {
            _periodicTimer.Arm(PeriodStart(_lastPeriod + 1));
        }
        else
        {
            _periodicTimer.Cancel();
        }

        if ((b & (BUie | BAie)) != 0 && (b & BSet) == 0 && !_irqLevel)
        {
            long nextSecondTicks = (_lastSecond + 1) * TimeSpan.TicksPerSecond;
            _secondTimer.Arm(_clock.Now + Math.Max(1, (nextSecondTicks - CurrentTicks()) * 100));
        }
        else
        {
            _secondTimer.Cancel();
        }
    }

    private void OnTimer()
    {
        CatchUp();
        PlanTimers();
    }
}
