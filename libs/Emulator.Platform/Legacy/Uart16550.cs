namespace Emulator.Platform;

/// <summary>
/// A National Semiconductor 16550A UART (8 ports from its base). Transmit is instantaneous: each THR
/// byte goes to the sink and THRE is set again at once. Receive comes from another thread through
/// <see cref="Offer"/> (a <see cref="ByteHandover"/>): the producer is asked to wait when full and the
/// machine is asked, through the request-poll action, to call <see cref="PollReceive"/> on the vCPU
/// thread, which moves bytes into the 16-byte RX FIFO only while it has room, so nothing is dropped.
/// The IRQ pin is gated by MCR OUT2 as on the PC. Power-on and <see cref="Reset"/> give QEMU's
/// serial_reset state: IER 0, LCR 0, MCR OUT2, divisor 12 (9600 baud), FIFOs off and empty.
/// </summary>
public sealed class Uart16550 : IPortDevice
{
    public const ushort Com1 = 0x3F8;
    public const ushort Com2 = 0x2F8;
    public const ushort Com3 = 0x3E8;
    public const ushort Com4 = 0x2E8;
    public const int Com1Irq = 4;
    public const int Com2Irq = 3;
    public const int FifoSize = 16;

    private const byte LsrDr = 0x01;
    private const byte LsrOe = 0x02;
    private const byte LsrErrors = 0x1E;
    private const byte LsrThre = 0x20;
    private const byte LsrTemt = 0x40;
    private const byte McrOut2 = 0x08;
    private const byte McrLoop = 0x10;
    private const long InputClockHz = 1_843_200;

    private readonly IDeviceClock _clock;
    private readonly IInterruptLine _irq;
    private readonly Action<byte> _transmit;
    private readonly Action _requestPoll;
    private readonly ByteHandover _handover = new(256);
    private readonly Queue<byte> _rxFifo = new(FifoSize);
    private readonly IDeviceTimer _timeoutTimer;
    private byte _ier;
    private byte _lcr;
    private byte _mcr;
    private byte _lsrErrors;
    private byte _msrStatus;
    private byte _msrDelta;
    private byte _scr;
    private ushort _divisor;
    private bool _fifoEnabled;
    private int _triggerLevel = 1;
    private bool _thrInterrupt;
    private bool _timeoutInterrupt;
    private bool _irqLevel;

    public Uart16550(IDeviceClock clock, IInterruptLine irq, Action<byte> transmit, Action requestPoll)
    {
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(irq);
        ArgumentNullException.ThrowIfNull(transmit);
        ArgumentNullException.ThrowIfNull(requestPoll);
        _clock = clock;
        _irq = irq;
        _transmit = transmit;
        _requestPoll = requestPoll;
        _timeoutTimer = clock.CreateTimer(OnCharacterTimeout);
        Reset();
    }

    public static PortRange RangeAt(ushort basePort) => new(basePort, 8);

    /// <summary>The baud-rate divisor (DLL/DLM).</summary>
    public ushort Divisor => _divisor;

    /// <summary>Queues received bytes from any thread; returns how many were taken (the rest: await <see cref="WhenSpaceAvailable"/>).</summary>
    public int Offer(ReadOnlySpan<byte> data)
    {
        int accepted = _handover.Offer(data);
        if (accepted > 0)
        {
            _requestPoll();
        }

        return accepted;
    }

    /// <summary>Completes when <see cref="Offer"/> can take at least one more byte. Any thread.</summary>
    public Task WhenSpaceAvailable(CancellationToken cancellationToken = default) => _handover.WhenSpaceAvailable(cancellationToken);

    /// <summary>
    /// vCPU thread, system reset: the registers to their power-on values, the RX FIFO emptied and the
    /// IRQ lowered. Bytes the back end offered but the FIFO had not taken stay queued for the guest.
    /// </summary>
    public void Reset()
    {
        _ier = 0;
        _lcr = 0;
        _mcr = McrOut2;
        _scr = 0;
        _divisor = 12;
        _lsrErrors = 0;
        _fifoEnabled = false;
        _triggerLevel = 1;
        _rxFifo.Clear();
        _timeoutTimer.Cancel();
        _thrInterrupt = false;
        _timeoutInterrupt = false;
        _msrStatus = ModemInputs();
        _msrDelta = 0;
        UpdateIrq();
    }

    /// <summary>vCPU thread: moves waiting received bytes into the RX FIFO while it has room.</summary>
    public void PollReceive()
    {
        if ((_mcr & McrLoop) == 0)
        {
            int room = RxCapacity - _rxFifo.Count;
            if (room > 0)
            {
                Span<byte> bytes = stackalloc byte[FifoSize];
                int taken = _handover.Take(bytes[..room]);
                for (int i = 0; i < taken; i++)
                {
                    _rxFifo.Enqueue(bytes[i]);
                }

                if (taken > 0)
                {
                    RestartTimeout();
                }
            }
        }

        UpdateIrq();
    }

    private int RxCapacity => _fifoEnabled ? FifoSize : 1;

    private bool Dlab => (_lcr & 0x80) != 0;

    public uint Read(ushort offset, int size)
    {
        switch (offset & 7)
        {
            case 0:
                return Dlab ? (byte)_divisor : ReadRbr();
            case 1:
                return Dlab ? (uint)(_divisor >> 8) : _ier;
            case 2:
                return ReadIir();
            case 3:
                return _lcr;
            case 4:
                return _mcr;
            case 5:
                return ReadLsr();
            case 6:
                byte msr = (byte)(_msrStatus | _msrDelta);
                _msrDelta = 0;
                UpdateIrq();
                return msr;
            default:
                return _scr;
        }
    }

    public void Write(ushort offset, int size, uint value)
    {
        byte v = (byte)value;
        switch (offset & 7)
        {
            case 0:
                if (Dlab)
                {
                    _divisor = (ushort)((_divisor & 0xFF00) | v);
                }
                else
                {
                    WriteThr(v);
                }

                break;
            case 1:
                if (Dlab)
                {
                    _divisor = (ushort)((_divisor & 0x00FF) | (v << 8));
                }
                else
                {
                    // Enabling ETBEI while THR is empty raises the THRE interrupt (16550A behaviour Linux tests).
                    if ((v & 0x02) != 0 && (_ier & 0x02) == 0)
                    {
                        _thrInterrupt = true;
                    }

                    _ier = (byte)(v & 0x0F);
                }

                break;
            case 2:
                WriteFcr(v);
                break;
            case 3:
                _lcr = v;
                break;
            case 4:
                WriteMcr(v);
                break;
            case 7:
                _scr = v;
                break;
            default:
                break;
        }

        UpdateIrq();
    }

    private byte ReadRbr()
    {
        if (_rxFifo.Count == 0)
        {
            return 0;
        }

        byte value = _rxFifo.Dequeue();
        _timeoutInterrupt = false;
        PollReceive();
        if (_rxFifo.Count > 0)
        {
            RestartTimeout();
        }
        else
        {
            _timeoutTimer.Cancel();
        }

        UpdateIrq();
        return value;
    }

    private uint ReadIir()
    {
        byte iir = InterruptId();
        if (iir == 0x02)
        {
            // Reading IIR acknowledges a THRE interrupt.
            _thrInterrupt = false;
            UpdateIrq();
        }

        return (uint)(iir | (_fifoEnabled ? 0xC0 : 0));
    }

    private uint ReadLsr()
    {
        byte lsr = (byte)(_lsrErrors | LsrThre | LsrTemt);
        if (_rxFifo.Count > 0)
        {
            lsr |= LsrDr;
        }

        _lsrErrors = 0;
        UpdateIrq();
        return lsr;
    }

    private void WriteThr(byte v)
    {
        if ((_mcr & McrLoop) != 0)
        {
            if (_rxFifo.Count < RxCapacity)
            {
                _rxFifo.Enqueue(v);
                RestartTimeout();
            }
            else
            {
                _lsrErrors |= LsrOe;
            }
        }
        else
        {
            _transmit(v);
        }

        // The byte left the holding register at once: THR is empty again.
        _thrInterrupt = true;
    }

    private void WriteFcr(byte v)
    {
        bool enable = (v & 1) != 0;
        if (enable != _fifoEnabled)
        {
            _rxFifo.Clear();
            _timeoutInterrupt = false;
            _fifoEnabled = enable;
        }

        if (enable && (v & 0x02) != 0)
        {
            _rxFifo.Clear();
            _timeoutInterrupt = false;
            _timeoutTimer.Cancel();
        }

        _triggerLevel = enable ? (v >> 6) switch { 0 => 1, 1 => 4, 2 => 8, _ => 14 } : 1;
        PollReceive();
    }

    private void WriteMcr(byte v)
    {
        _mcr = (byte)(v & 0x1F);
        byte status = ModemInputs();
        byte changed = (byte)(status ^ _msrStatus);
        if ((changed & 0x10) != 0)
        {
            _msrDelta |= 0x01;
        }

        if ((changed & 0x20) != 0)
        {
            _msrDelta |= 0x02;
        }

        if ((changed & 0x40) != 0 && (status & 0x40) == 0)
        {
            _msrDelta |= 0x04;
        }

        if ((changed & 0x80) != 0)
        {
            _msrDelta |= 0x08;
        }

        _msrStatus = status;
        PollReceive();
    }

    /// <summary>CTS, DSR, RI, DCD (MSR bits 4-7): looped from RTS, DTR, OUT1, OUT2 in loopback, else a present peer.</summary>
    private byte ModemInputs()
    {
        if ((_mcr & McrLoop) == 0)
        {
            return 0xB0;
        }

        int m = _mcr;
        return (byte)((((m >> 1) & 1) << 4) | ((m & 1) << 5) | (((m >> 2) & 1) << 6) | (((m >> 3) & 1) << 7));
    }

    private byte InterruptId()
    {
        if ((_ier & 0x04) != 0 && (_lsrErrors & LsrErrors) != 0)
        {
            return 0x06;
        }

        if ((_ier & 0x01) != 0 && _rxFifo.Count >= (_fifoEnabled ? _triggerLevel : 1))
        {
            return 0x04;
        }

        if ((_ier & 0x01) != 0 && _timeoutInterrupt)
        {
            return 0x0C;
        }

        if ((_ier & 0x02) != 0 && _thrInterrupt)
        {
            return 0x02;
        }

        if ((_ier & 0x08) != 0 && _msrDelta != 0)
        {
            return 0x00;
        }

        return 0x01;
    }

    private void RestartTimeout()
    {
        if (!_fifoEnabled)
        {
            return;
        }

        int dataBits = 5 + (_lcr & 3);
        int bits = 1 + dataBits + ((_lcr & 0x08) != 0 ? 1 : 0) + ((_lcr & 0x04) != 0 ? 2 : 1);
        long divisor = _divisor == 0 ? 0x10000 : _divisor;
        long characterNs = bits * divisor * 16 * 1_000_000_000 / InputClockHz;
        _timeoutTimer.Arm(_clock.Now + (4 * characterNs));
    }

    private void OnCharacterTimeout()
    {
        if (_fifoEnabled && _rxFifo.Count > 0)
        {
            _timeoutInterrupt = true;
            UpdateIrq();
        }
    }

    private void UpdateIrq()
    {
        bool level = InterruptId() != 0x01 && (_mcr & McrOut2) != 0;
        if (level != _irqLevel)
        {
            _irqLevel = level;
            _irq.Set(level);
        }
    }
}
