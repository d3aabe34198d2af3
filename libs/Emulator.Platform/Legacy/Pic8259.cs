namespace Emulator.Platform;

/// <summary>
/// One Intel 8259A programmable interrupt controller (ports base+0, base+1), as used twice in the PC
/// (see <see cref="DualPic"/>). Priority resolution, ICW/OCW handling and the edge/level rules follow
/// the 8259A datasheet; the edge-sensing latch (<c>_lastLevels</c>) means an edge input must go low
/// before it can request again. The INT output is driven on every change.
/// </summary>
public sealed class Pic8259 : IPortDevice
{
    private readonly IInterruptLine _output;
    private readonly bool _isMaster;
    private readonly byte _elcrMask;
    private byte _irr;
    private byte _imr;
    private byte _isr;
    private byte _lastLevels;
    private int _priorityAdd;
    private int _initState;
    private bool _readIsr;
    private bool _poll;
    private bool _specialMask;
    private bool _rotateOnAutoEoi;
    private bool _init4;
    private bool _singleMode;
    private bool _outputLevel;

    public Pic8259(IInterruptLine output, bool isMaster, byte elcrMask)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
        _isMaster = isMaster;
        _elcrMask = elcrMask;
    }

    /// <summary>Vector of IRQ 0 on this chip (ICW2, low three bits zero).</summary>
    public byte VectorBase { get; private set; }

    public bool AutoEoi { get; private set; }

    public bool SpecialFullyNested { get; private set; }

    public byte Irr => _irr;

    public byte Isr => _isr;

    public byte Imr => _imr;

    /// <summary>Edge/level control register: bit set = level-triggered input (PIIX ELCR).</summary>
    public byte Elcr { get; private set; }

    public void SetElcr(byte value)
    {
        Elcr = (byte)(value & _elcrMask);
        Update();
    }

    /// <summary>Drives input <paramref name="irq"/> (0-7).</summary>
    public void SetInput(int irq, bool level)
    {
        int mask = 1 << (irq & 7);
        if (IsLevel(mask))
        {
            _irr = (byte)(level ? _irr | mask : _irr & ~mask);
            _lastLevels = (byte)(level ? _lastLevels | mask : _lastLevels & ~mask);
        }
        else if (level)
        {
            if ((_lastLevels & mask) == 0)
            {
                _irr |= (byte)mask;
            }

            _lastLevels |= (byte)mask;
        }
        else
        {
            _lastLevels &= (byte)~mask;
        }

        Update();
    }

    /// <summary>The IRQ (0-7) this chip would present to the CPU now, or -1.</summary>
    public int PendingIrq()
    {
        int priority = Priority(_irr & ~_imr);
        if (priority == 8)
        {
            return -1;
        }

        int inService = _isr;
        if (_specialMask)
        {
            inService &= ~_imr;
        }

        if (SpecialFullyNested && _isMaster)
        {
            // In special fully nested mode the slave may interrupt while one of its own IRQs is in service.
            inService &= ~(1 << 2);
        }

        return priority < Priority(inService) ? (priority + _priorityAdd) & 7 : -1;
    }

    /// <summary>INTA for <paramref name="irq"/>: moves it from IRR to ISR (or not, in auto-EOI mode).</summary>
    public void Acknowledge(int irq)
    {
        int mask = 1 << irq;
        if (AutoEoi)
        {
            if (_rotateOnAutoEoi)
            {
                _priorityAdd = (irq + 1) & 7;
            }
        }
        else
        {
            _isr |= (byte)mask;
        }

        // A level-triggered request stays in IRR while the line is high.
        if (!IsLevel(mask))
        {
            _irr &= (byte)~mask;
        }

        Update();
    }

    public uint Read(ushort offset, int size)
    {
        if ((offset & 1) != 0)
        {
            return _imr;
        }

        if (_poll)
        {
            _poll = false;
            int irq = PendingIrq();
            if (irq < 0)
            {
                return 0;
            }

            Acknowledge(irq);
            return (uint)(0x80 | irq);
        }

        return _readIsr ? _isr : _irr;
    }

    public void Write(ushort offset, int size, uint value)
    {
        byte v = (byte)value;
        if ((offset & 1) == 0)
        {
            WriteCommand(v);
        }
        else
        {
            WriteData(v);
        }
    }

    private void WriteCommand(byte v)
    {
        if ((v & 0x10) != 0)
        {
            InitReset();
            _initState = 1;
            _init4 = (v & 1) != 0;
            _singleMode = (v & 2) != 0;
            return;
        }

        if ((v & 0x08) != 0)
        {
            // OCW3
            if ((v & 0x04) != 0)
            {
                _poll = true;
            }

            if ((v & 0x02) != 0)
            {
                _readIsr = (v & 1) != 0;
            }

            if ((v & 0x40) != 0)
            {
                _specialMask = (v & 0x20) != 0;
                Update();
            }

            return;
        }

        // OCW2
        switch (v >> 5)
        {
            case 0:
            case 4:
                _rotateOnAutoEoi = (v >> 7) != 0;
                break;
            case 1:
            case 5:
                int priority = Priority(_isr);
                if (priority != 8)
                {
                    int irq = (priority + _priorityAdd) & 7;
                    _isr &= (byte)~(1 << irq);
                    if (v >> 5 == 5)
                    {
                        _priorityAdd = (irq + 1) & 7;
                    }
                }

                break;
            case 3:
                _isr &= (byte)~(1 << (v & 7));
                break;
            case 6:
                _priorityAdd = (v + 1) & 7;
                break;
            case 7:
                _isr &= (byte)~(1 << (v & 7));
                _priorityAdd = ((v & 7) + 1) & 7;
                break;
            default:
                break;
        }

        Update();
    }

    private void WriteData(byte v)
    {
        switch (_initState)
        {
            case 0:
                _imr = v;
                Update();
                break;
            case 1:
                VectorBase = (byte)(v & 0xF8);
                _initState = _singleMode ? (_init4 ? 3 : 0) : 2;
                break;
            case 2:
                _initState = _init4 ? 3 : 0;
                break;
            default:
                SpecialFullyNested = (v & 0x10) != 0;
                AutoEoi = (v & 0x02) != 0;
                _initState = 0;
                Update();
                break;
        }
    }

    private void InitReset()
    {
        _lastLevels = 0;
        _irr &= Elcr;
        _imr = 0;
        _isr = 0;
        _priorityAdd = 0;
        VectorBase = 0;
        _readIsr = false;
        _poll = false;
        _specialMask = false;
        AutoEoi = false;
        _rotateOnAutoEoi = false;
        SpecialFullyNested = false;
        _init4 = false;
        _singleMode = false;
        Update();
    }

    // The cascade input (master IRQ 2) is edge-latched, as on the PIIX: a slave request withdrawn
    // before INTA therefore still reaches the slave and comes back as its spurious IRQ 15.
    private bool IsLevel(int mask) => (Elcr & mask) != 0;

    private int Priority(int mask)
    {
        if ((mask & 0xFF) == 0)
        {
            return 8;
        }

        int priority = 0;
        while ((mask & (1 << ((priority + _priorityAdd) & 7))) == 0)
        {
            priority++;
        }

        return priority;
    }

    private void Update()
    {
        bool level = PendingIrq() >= 0;
        if (level != _outputLevel)
        {
            _outputLevel = level;
            _output.Set(level);
        }
    }
}
