namespace Emulator.Platform;

/// <summary>
/// The HPET as QEMU's hpet.c: three comparators on a 64-bit main counter at 100 MHz (period 10 ns,
/// vendor 8086h) driven by the <see cref="IDeviceClock"/>; periodic mode with accumulator semantics
/// (the comparator advances by the period, never drifting), 32-bit mode, edge or level interrupts
/// (level ones latched in the status register until written 1 to clear), routes within each
/// timer's capability, and legacy replacement (timer 0 to IRQ0, timer 1 to IRQ8). FSB (MSI)
/// delivery and the 32-bit one-shot wrap interrupt are not implemented. vCPU thread only.
/// </summary>
public sealed class Hpet : IMmioDevice
{
    public const ulong DefaultBase = 0xFED0_0000;
    public const ulong PageSize = 0x400;
    public const int TimerCount = 3;

    /// <summary>Counter period in femtoseconds (10 ns, QEMU's HPET_CLK_PERIOD).</summary>
    public const ulong PeriodFemtoseconds = 10_000_000;

    private const long NanosecondsPerTick = 10;

    /// <summary>Vendor 8086h, legacy-route capable, 64-bit counter, revision 1, two = timers - 1.</summary>
    private const ulong Capability = (PeriodFemtoseconds << 32) | 0x8086_A001UL | ((TimerCount - 1UL) << 8);

    private const ulong TimerConfigWritable = 0x3F4E;

    private readonly IDeviceClock _clock;
    private readonly HpetTimer[] _timers = new HpetTimer[TimerCount];
    private readonly IInterruptLine?[] _routes = new IInterruptLine?[32];
    private readonly uint _routeCapability;

    // The value-set bit is a one-shot permission for the next comparator write of a periodic timer.
    private readonly bool[] _valueSet = new bool[TimerCount];
    private ulong _config;
    private ulong _status;
    private ulong _counterBase;
    private long _enabledAt;

    /// <summary><paramref name="routeCapability"/>: the GSIs a timer may route to (bit n = GSI n); QEMU's pc uses 0x4 (GSI 2), q35 0x00FF0104.</summary>
    public Hpet(IDeviceClock clock, uint routeCapability = 0x4)
    {
        ArgumentNullException.ThrowIfNull(clock);
        _clock = clock;
        _routeCapability = routeCapability;
        for (int i = 0; i < TimerCount; i++)
        {
            int index = i;
            _timers[i] = new HpetTimer(i, clock.CreateTimer(() => Expired(_timers[index])));
        }

        Reset();
    }

    /// <summary>Legacy replacement: timer 0's line (the machine wires it to PIC IRQ0 and IOAPIC GSI 2).</summary>
    public IInterruptLine? LegacyIrq0 { get; set; }

    /// <summary>Legacy replacement: timer 1's line (PIC IRQ8 and IOAPIC GSI 8).</summary>
    public IInterruptLine? LegacyIrq8 { get; set; }

    /// <summary>Told when legacy replacement is switched: while on, the PIT and RTC interrupt outputs are to be cut.</summary>
    public Action<bool>? LegacyReplacementChanged { get; set; }

    public bool Enabled => (_config & HpetRegister.EnableCnf) != 0;

    public bool LegacyReplacement => (_config & HpetRegister.LegacyRouteCnf) != 0;

    /// <summary>The main counter now.</summary>
    public ulong Counter => Enabled ? unchecked(_counterBase + (ulong)(Math.Max(0, _clock.Now - _enabledAt) / NanosecondsPerTick)) : _counterBase;

    /// <summary>Connects route <paramref name="gsi"/> (an IOAPIC input) to <paramref name="line"/>.</summary>
    public void ConnectRoute(int gsi, IInterruptLine line)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(gsi);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(gsi, 31);
        ArgumentNullException.ThrowIfNull(line);
        _routes[gsi] = line;
    }

    public void Reset()
    {
        foreach (HpetTimer timer in _timers)
        {
            timer.Timer.Cancel();
            SetLine(timer, false);
            timer.Config = HpetRegister.TimerPeriodicCapable | HpetRegister.Timer64BitCapable | ((ulong)_routeCapability << 32);
            timer.Comparator = ulong.MaxValue;
            timer.Period = 0;
        }

        _config = 0;
        _status = 0;
        _counterBase = 0;
        _enabledAt = 0;
    }

    public void Read(ulong offset, Span<byte> destination)
    {
        ulong value = ReadRegister((int)(offset & ~7UL));
        int shift = (int)(offset & 7);
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = shift + i < 8 ? (byte)(value >> ((shift + i) * 8)) : (byte)0;
        }
    }

    public void Write(ulong offset, ReadOnlySpan<byte> source)
    {
        // 32- and 64-bit accesses, naturally aligned (the specification's rule); others are dropped.
        if (source.Length is not (4 or 8) || (offset & ((ulong)source.Length - 1)) != 0)
        {
            return;
        }

        int shift = (int)(offset & 7) * 8;
        ulong value = 0;
        for (int i = 0; i < source.Length; i++)
        {
            value |= (ulong)source[i] << (i * 8);
        }

        ulong mask = (source.Length == 8 ? ulong.MaxValue : 0xFFFF_FFFFUL) << shift;
        WriteRegister((int)(offset & ~7UL), value << shift, mask);
    }

    private static ulong Merge(ulong old, ulong value, ulong mask) => (old & ~mask) | (value & mask);

    private ulong ReadRegister(int register)
    {
        switch (register)
        {
            case HpetRegister.Capabilities: return Capability;
            case HpetRegister.Configuration: return _config;
            case HpetRegister.InterruptStatus: return _status;
            case HpetRegister.MainCounter: return Counter;
        }

        if (!TryTimer(register, out HpetTimer? timer, out int field))
        {
            return 0;
        }

        return field switch
        {
            0 => timer.Config,
            8 => timer.Is32Bit ? timer.Comparator & 0xFFFF_FFFF : timer.Comparator,
            _ => 0,
        };
    }

    private void WriteRegister(int register, ulong value, ulong mask)
    {
        switch (register)
        {
            case HpetRegister.Configuration:
                WriteConfiguration(Merge(_config, value, mask) & (HpetRegister.EnableCnf | HpetRegister.LegacyRouteCnf));
                return;
            case HpetRegister.InterruptStatus:
                ClearStatus(value & mask);
                return;
            case HpetRegister.MainCounter:
                // Writable only while halted, as QEMU (a write while counting is ignored).
                if (!Enabled)
                {
                    _counterBase = Merge(_counterBase, value, mask);
                }

                return;
        }

        if (!TryTimer(register, out HpetTimer? timer, out int field))
        {
            return;
        }

        if (field == 0)
        {
            WriteTimerConfig(timer, Merge(timer.Config, value, mask & TimerConfigWritable));
        }
        else if (field == 8)
        {
            WriteComparator(timer, value, mask);
        }
    }

    private bool TryTimer(int register, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out HpetTimer? timer, out int field)
    {
        timer = null;
        field = 0;
        int relative = register - HpetRegister.TimerBase;
        if (relative < 0 || relative >= TimerCount * HpetRegister.TimerStride)
        {
            return false;
        }

        timer = _timers[relative / HpetRegister.TimerStride];
        field = relative % HpetRegister.TimerStride;
        return true;
    }

    private void WriteConfiguration(ulong next)
    {
        ulong old = _config;
        if (((old ^ next) & HpetRegister.EnableCnf) != 0)
        {
            if ((next & HpetRegister.EnableCnf) != 0)
            {
                _enabledAt = _clock.Now;
                _config = next;
                // As QEMU: a comparator still at its reset value is not armed (it would count as already passed).
                foreach (HpetTimer timer in _timers)
                {
                    if (timer.Comparator != ulong.MaxValue)
                    {
                        Arm(timer);
                    }
                }
            }
            else
            {
                _counterBase = Counter;
                foreach (HpetTimer timer in _timers)
                {
                    timer.Timer.Cancel();
                }
            }
        }

        if (((old ^ next) & HpetRegister.LegacyRouteCnf) != 0)
        {
            foreach (HpetTimer timer in _timers)
            {
                SetLine(timer, false);
            }
        }

        _config = next;
        if (((old ^ next) & HpetRegister.LegacyRouteCnf) != 0)
        {
            LegacyReplacementChanged?.Invoke(LegacyReplacement);
        }
    }

    private void ClearStatus(ulong bits)
    {
        foreach (HpetTimer timer in _timers)
        {
            ulong bit = 1UL << timer.Index;
            if ((bits & _status & bit) != 0)
            {
                _status &= ~bit;
                SetLine(timer, false);
            }
        }
    }

    private void WriteTimerConfig(HpetTimer timer, ulong next)
    {
        ulong old = timer.Config;
        timer.Config = next & ~HpetRegister.TimerValueSet;

        _valueSet[timer.Index] = (next & HpetRegister.TimerValueSet) != 0;
        if (timer.Is32Bit)
        {
            timer.Comparator &= 0xFFFF_FFFF;
            timer.Period &= 0xFFFF_FFFF;
        }

        bool wasLevel = (old & HpetRegister.TimerLevelTriggered) != 0;
        if ((wasLevel && !timer.IsLevelTriggered) || (next & HpetRegister.TimerInterruptEnable) == 0 || ((old ^ next) & (0x1FUL << HpetRegister.TimerRouteShift)) != 0)
        {
            _status &= ~(1UL << timer.Index);
            SetLine(timer, false, old);
        }

        if (Enabled)
        {
            Arm(timer);
        }
    }

    private void WriteComparator(HpetTimer timer, ulong value, ulong mask)
    {
        if (timer.Is32Bit)
        {
            mask &= 0xFFFF_FFFF;
        }

        if (!timer.IsPeriodic || _valueSet[timer.Index])
        {
            timer.Comparator = Merge(timer.Comparator, value, mask);
        }

        if (timer.IsPeriodic)
        {
            timer.Period = Merge(timer.Period, value, mask);
        }

        _valueSet[timer.Index] = false;
        if (Enabled)
        {
            Arm(timer);
        }
    }

    /// <summary>Ticks from <paramref name="counter"/> until the comparator matches (0 when it is behind, as QEMU).</summary>
    private static ulong TicksUntil(HpetTimer timer, ulong counter)
    {
        if (timer.Is32Bit)
        {
            int diff = unchecked((int)((uint)timer.Comparator - (uint)counter));
            return diff < 0 ? 0 : (ulong)diff;
        }

        long diff64 = unchecked((long)(timer.Comparator - counter));
        return diff64 < 0 ? 0 : (ulong)diff64;
    }

    private void Arm(HpetTimer timer)
    {
        ulong ticks = TicksUntil(timer, Counter);
        long now = _clock.Now;
        long delay = ticks > (ulong)(long.MaxValue / NanosecondsPerTick) ? long.MaxValue : (long)ticks * NanosecondsPerTick;
        timer.Timer.Arm(delay > long.MaxValue - now ? long.MaxValue : now + delay);
    }

    private void Expired(HpetTimer timer)
    {
        if (!Enabled)
        {
            return;
        }

        ulong counter = Counter;
        if (timer.IsPeriodic && timer.Period != 0)
        {
            // Accumulator: step the comparator past the counter by whole periods.
            ulong behind = timer.Is32Bit ? (uint)((uint)counter - (uint)timer.Comparator) : counter - timer.Comparator;
            ulong steps = (behind / timer.Period) + 1;
            ulong next = unchecked(timer.Comparator + (steps * timer.Period));
            timer.Comparator = timer.Is32Bit ? next & 0xFFFF_FFFF : next;
            Arm(timer);
        }

        Raise(timer);
    }

    private void Raise(HpetTimer timer)
    {
        ulong bit = 1UL << timer.Index;
        if ((timer.Config & HpetRegister.TimerInterruptEnable) == 0)
        {
            _status &= ~bit;
            SetLine(timer, false);
            return;
        }

        if (timer.IsLevelTriggered)
        {
            _status |= bit;
            SetLine(timer, true);
        }
        else
        {
            _status &= ~bit;
            SetLine(timer, true);
            SetLine(timer, false);
        }
    }

    private void SetLine(HpetTimer timer, bool level, ulong? config = null)
    {
        IInterruptLine? line;
        if (LegacyReplacement && timer.Index < 2)
        {
            line = timer.Index == 0 ? LegacyIrq0 : LegacyIrq8;
        }
        else
        {
            int route = (int)(((config ?? timer.Config) >> HpetRegister.TimerRouteShift) & 0x1F);
            line = (_routeCapability & (1u << route)) != 0 ? _routes[route] : null;
        }

        line?.Set(level);
    }
}
