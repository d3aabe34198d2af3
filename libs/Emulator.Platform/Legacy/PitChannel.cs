namespace Emulator.Platform;

/// <summary>
/// One 8254 counter. Time is counted in whole PIT ticks of the virtual clock
/// (<see cref="Pit8254.Frequency"/>), from the tick the count was loaded, so reads and output edges
/// never drift. Mode 2/3 reload and mode 1/5 triggers restart the count on a gate rising edge; a low
/// gate pauses modes 0 and 4 and holds OUT high in modes 2 and 3 (8254 datasheet, "Gate").
/// </summary>
public sealed class PitChannel
{
    private const int AccessLatch = 0;
    private const int AccessLow = 1;
    private const int AccessHigh = 2;
    private const int AccessWord = 3;

    private readonly IDeviceClock _clock;
    private int _access = AccessWord;
    private bool _readHighNext;
    private bool _writeHighNext;
    private byte _writeLow;
    private int? _latchedCount;
    private bool _latchedHighNext;
    private byte? _latchedStatus;
    private int _reload = 0x10000;
    private bool _loaded;
    private bool _running;
    private long _startTick;
    private long _pausedTicks;

    internal PitChannel(IDeviceClock clock, bool gate)
    {
        _clock = clock;
        Gate = gate;
    }

    public int Mode { get; private set; }

    public bool Bcd { get; private set; }

    public bool Gate { get; private set; }

    /// <summary>Called when the count or mode changes so channel 0 can re-plan its IRQ timer.</summary>
    internal Action? Changed { get; set; }

    /// <summary>The PIT tick count at virtual time <paramref name="ns"/>.</summary>
    public static long TickAt(long ns) => (long)((Int128)ns * Pit8254.Frequency / 1_000_000_000);

    /// <summary>The first virtual nanosecond at which tick <paramref name="tick"/> has begun.</summary>
    public static long NsAt(long tick) => (long)(((Int128)tick * 1_000_000_000 + Pit8254.Frequency - 1) / Pit8254.Frequency);

    private int Modulus => Bcd ? 10000 : 0x10000;

    /// <summary>Ticks counted since the count was loaded or triggered, at clock tick <paramref name="tick"/>.</summary>
    private long Elapsed(long tick)
    {
        if (!_running)
        {
            return 0;
        }

        if (!Gate && (Mode == 0 || Mode == 4))
        {
            return _pausedTicks;
        }

        return Math.Max(0, tick - _startTick);
    }

    /// <summary>The counting element at clock tick <paramref name="tick"/>.</summary>
    internal int CountAt(long tick)
    {
        if (!_running)
        {
            return _reload % Modulus;
        }

        long d = Elapsed(tick);
        long value = Mode switch
        {
            2 => _reload - (d % _reload),
            3 => _reload - ((2 * d) % _reload),
            _ => ((_reload - d) % Modulus + Modulus) % Modulus,
        };
        return (int)(value % Modulus);
    }

    /// <summary>The OUT pin at clock tick <paramref name="tick"/>.</summary>
    internal bool OutAt(long tick)
    {
        if (!_loaded)
        {
            return Mode != 0;
        }

        if (!_running)
        {
            return Mode != 0;
        }

        if (!Gate && (Mode == 2 || Mode == 3))
        {
            return true;
        }

        long d = Elapsed(tick);
        return Mode switch
        {
            0 => d >= _reload,
            1 => d >= _reload,
            2 => _reload == 1 || d % _reload != _reload - 1,
            3 => d % _reload < (_reload + 1) >> 1,
            _ => d != _reload,
        };
    }

    /// <summary>The first tick after <paramref name="tick"/> at which OUT changes, or -1.</summary>
    internal long NextTransition(long tick)
    {
        if (!_running || (!Gate && Mode != 1 && Mode != 5))
        {
            return -1;
        }

        long d = Elapsed(tick);
        long next;
        switch (Mode)
        {
            case 0:
            case 1:
                if (d >= _reload)
                {
                    return -1;
                }

                next = _reload;
                break;
            case 2:
            {
                if (_reload == 1)
                {
                    return -1;
                }

                long phase = d % _reload;
                long baseTick = d - phase;
                next = phase < _reload - 1 ? baseTick + _reload - 1 : baseTick + _reload;
                break;
            }

            case 3:
            {
                long phase = d % _reload;
                long baseTick = d - phase;
                long high = (_reload + 1) >> 1;
                next = phase < high ? baseTick + high : baseTick + _reload;
                break;
            }

            default:
                if (d < _reload)
                {
                    next = _reload;
                }
                else if (d == _reload)
                {
                    next = _reload + 1;
                }
                else
                {
                    return -1;
                }

                break;
        }

        return _startTick + next;
    }

    internal long NowTick => TickAt(_clock.Now);

    internal void SetGate(bool gate)
    {
        long now = NowTick;
        if (gate == Gate)
        {
            return;
        }

        if (!gate && (Mode == 0 || Mode == 4))
        {
            _pausedTicks = Elapsed(now);
        }

        Gate = gate;
        if (gate)
        {
            if (Mode == 0 || Mode == 4)
            {
                _startTick = now - _pausedTicks;
            }
            else if (_loaded)
            {
                // Modes 1, 2, 3, 5: a rising gate (re)starts the count from the reload value.
                _startTick = now;
                _running = true;
            }
        }

        Changed?.Invoke();
    }

    internal void WriteControl(byte control)
    {
        int access = (control >> 4) & 3;
        if (access == AccessLatch)
        {
            LatchCount();
            return;
        }

        _access = access;
        Mode = (control >> 1) & 7;
        if (Mode > 5)
        {
            Mode -= 4;
        }

        Bcd = (control & 1) != 0;
        _readHighNext = false;
        _writeHighNext = false;
        _loaded = false;
        _running = false;
        _latchedCount = null;
        Changed?.Invoke();
    }

    internal void LatchCount()
    {
        _latchedCount ??= ToCounterFormat(CountAt(NowTick));
        _latchedHighNext = false;
    }

    internal void LatchStatus()
    {
        if (_latchedStatus is null)
        {
            int status = (OutAt(NowTick) ? 0x80 : 0) | (_loaded ? 0 : 0x40) | (_access << 4) | (Mode << 1) | (Bcd ? 1 : 0);
            _latchedStatus = (byte)status;
        }
    }

    internal byte Read()
    {
        if (_latchedStatus is byte status)
        {
            _latchedStatus = null;
            return status;
        }

        if (_latchedCount is int latched)
        {
            return ReadLatched(latched);
        }

        int count = ToCounterFormat(CountAt(NowTick));
        switch (_access)
        {
            case AccessLow:
                return (byte)count;
            case AccessHigh:
                return (byte)(count >> 8);
            default:
                bool high = _readHighNext;
                _readHighNext = !high;
                return (byte)(high ? count >> 8 : count);
        }
    }

    private byte ReadLatched(int latched)
    {
        switch (_access)
        {
            case AccessLow:
                _latchedCount = null;
                return (byte)latched;
            case AccessHigh:
                _latchedCount = null;
                return (byte)(latched >> 8);
            default:
                if (_latchedHighNext)
                {
                    _latchedCount = null;
                    _latchedHighNext = false;
                    return (byte)(latched >> 8);
                }

                _latchedHighNext = true;
                return (byte)latched;
        }
    }

    internal void Write(byte value)
    {
        switch (_access)
        {
            case AccessLow:
                Load(value);
                break;
            case AccessHigh:
                Load(value << 8);
                break;
            default:
                if (!_writeHighNext)
                {
                    _writeLow = value;
                    _writeHighNext = true;
                    if (Mode == 0)
                    {
                        // Writing the first byte stops a mode 0 count (datasheet, mode 0).
                        _running = false;
                        _loaded = false;
                        Changed?.Invoke();
                    }
                }
                else
                {
                    _writeHighNext = false;
                    Load(_writeLow | (value << 8));
                }

                break;
        }
    }

    private void Load(int raw)
    {
        int count = Bcd ? FromBcd(raw) : raw;
        _reload = count == 0 ? Modulus : count;
        _loaded = true;
        _pausedTicks = 0;
        _startTick = NowTick;
        // Modes 1 and 5 wait for a gate trigger; the others count at once (or when the gate is high).
        _running = Mode != 1 && Mode != 5;
        Changed?.Invoke();
    }

    private int ToCounterFormat(int count) => Bcd ? ToBcd(count) : count & 0xFFFF;

    private static int FromBcd(int raw) =>
        (raw & 0xF) % 10 + ((raw >> 4) & 0xF) % 10 * 10 + ((raw >> 8) & 0xF) % 10 * 100 + ((raw >> 12) & 0xF) % 10 * 1000;

    private static int ToBcd(int value) =>
        value % 10 | (value / 10 % 10) << 4 | (value / 100 % 10) << 8 | (value / 1000 % 10) << 12;
}
