namespace Emulator.Platform;

/// <summary>
/// The ACPI fixed-feature registers of a PIIX4-style PM block (ACPI 6.x 4.8): PM1a status and
/// enable at +0/+2, PM1a control at +4, the 24-bit PM timer at +8. Status bits are write-one-to-clear;
/// SCI is asserted (level) while SCI_EN is set and an enabled status bit is set. Writing SLP_EN
/// with SLP_TYP <see cref="S5SleepType"/> requests power-off. Any byte/word/dword access at any offset
/// is split into bytes, so partial accesses behave like the hardware's byte lanes.
/// </summary>
public sealed class AcpiPmDevice : IPortDevice
{
    public const ushort DefaultBase = 0x600;
    public const int BlockLength = 12;
    public const ushort SciIrq = 9;
    public const int StatusOffset = 0;
    public const int EnableOffset = 2;
    public const int ControlOffset = 4;
    public const int TimerOffset = 8;

    /// <summary>The SLP_TYP that means soft-off; the DSDT's <c>\_S5</c> carries it.</summary>
    public const int S5SleepType = 5;

    public const long TimerFrequency = 3_579_545;

    public const ushort TimerStatus = 1 << 0;
    public const ushort GlobalStatus = 1 << 5;
    public const ushort PowerButtonStatus = 1 << 8;
    public const ushort RtcStatus = 1 << 10;
    public const ushort WakeStatus = 1 << 15;
    public const ushort SciEnable = 1 << 0;
    public const ushort SleepEnable = 1 << 13;

    // Status bits that have an enable bit at the same position (TMR, GBL, PWRBTN, RTC). The FADT
    // leaves FIXED_RTC clear (as QEMU's PIIX4), so Linux's rtc_cmos installs the RTC fixed-event
    // handler and reads RTC_EN back: a dropped bit is "Could not enable RealTimeClock event".
    private const ushort EventMask = TimerStatus | GlobalStatus | PowerButtonStatus | RtcStatus;
    private const ushort ControlWritable = 0x1C07; // SCI_EN, BM_RLD, GBL_RLS, SLP_TYP

    private readonly IDeviceClock _clock;
    private readonly IInterruptLine _sci;
    private readonly Action _powerOff;
    private readonly IDeviceTimer _overflowTimer;
    private ushort _status;
    private ushort _enable;
    private ushort _control;
    private long _lastTimerHalf;
    private bool _sciLevel;

    /// <param name="sciEnabledAtReset">No firmware hands the machine to the OS (FADT SMI_CMD is 0), so SCI_EN starts set.</param>
    public AcpiPmDevice(IDeviceClock clock, IInterruptLine sci, Action powerOff, bool sciEnabledAtReset = true)
    {
        _clock = clock;
        _sci = sci;
        _powerOff = powerOff;
        _overflowTimer = clock.CreateTimer(OnTimerOverflow);
        _control = sciEnabledAtReset ? SciEnable : (ushort)0;
        _lastTimerHalf = TimerTicks() >> 23;
    }

    public ushort Status
    {
        get
        {
            PollTimer();
            return _status;
        }
    }

    public ushort Enable => _enable;

    public ushort Control => _control;

    /// <summary>The PM timer's counter now: 24 bits at 3.579545 MHz of device-clock time.</summary>
    public uint TimerValue => (uint)(TimerTicks() & 0xFF_FFFF);

    /// <summary>A power-button press: sets PWRBTN_STS (an OS with PWRBTN_EN then shuts down).</summary>
    public void PressPowerButton()
    {
        _status |= PowerButtonStatus;
        UpdateSci();
    }

    public uint Read(ushort offset, int size)
    {
        uint value = 0;
        for (int i = 0; i < size; i++)
        {
            value |= (uint)ReadByte(offset + i) << (8 * i);
        }

        return value;
    }

    public void Write(ushort offset, int size, uint value)
    {
        for (int i = 0; i < size; i++)
        {
            WriteByte(offset + i, (byte)(value >> (8 * i)));
        }
    }

    private byte ReadByte(int offset) => offset switch
    {
        0 => (byte)Status,
        1 => (byte)(Status >> 8),
        2 => (byte)_enable,
        3 => (byte)(_enable >> 8),
        4 => (byte)_control,
        5 => (byte)(_control >> 8),
        >= TimerOffset and < TimerOffset + 4 => (byte)(TimerValue >> (8 * (offset - TimerOffset))),
        _ => 0,
    };

    private void WriteByte(int offset, byte value)
    {
        switch (offset)
        {
            case 0 or 1:
                PollTimer();
                _status &= (ushort)~(value << (8 * offset));
                break;
            case 2 or 3:
                ushort shifted = (ushort)(value << (8 * (offset - 2)));
                ushort keep = (ushort)(0xFF << (8 * (3 - offset)));
                _enable = (ushort)(((_enable & keep) | shifted) & EventMask);
                break;
            case 4 or 5:
                ushort bits = (ushort)(value << (8 * (offset - 4)));
                ushort other = (ushort)(0xFF << (8 * (5 - offset)));
                _control = (ushort)(((_control & other) | bits) & ControlWritable);
                if ((bits & SleepEnable) != 0 && ((_control >> 10) & 7) == S5SleepType)
                {
                    _powerOff();
                }

                break;
            default:
                break; // the timer is read-only
        }

        UpdateSci();
    }

    private long TimerTicks() => (long)((Int128)Math.Max(0, _clock.Now) * TimerFrequency / 1_000_000_000);

    // TMR_STS is set whenever bit 23 of the counter changes; computed lazily from the clock.
    private void PollTimer()
    {
        long half = TimerTicks() >> 23;
        if (half != _lastTimerHalf)
        {
            _lastTimerHalf = half;
            _status |= TimerStatus;
        }
    }

    private void OnTimerOverflow()
    {
        PollTimer();
        UpdateSci();
    }

    private void UpdateSci()
    {
        PollTimer();
        bool level = (_control & SciEnable) != 0 && (_status & _enable & EventMask) != 0;
        if (level != _sciLevel)
        {
            _sciLevel = level;
            _sci.Set(level);
        }

        // A timer only while an SCI on TMR_STS could be missed: armed for the next bit-23 change.
        if ((_enable & TimerStatus) != 0 && (_status & TimerStatus) == 0)
        {
            Int128 nextTick = (Int128)(_lastTimerHalf + 1) << 23;
            long deadline = (long)(((nextTick * 1_000_000_000) + TimerFrequency - 1) / TimerFrequency);
            _overflowTimer.Arm(deadline);
        }
        else if (_overflowTimer.IsArmed)
        {
            _overflowTimer.Cancel();
        }
    }
}
