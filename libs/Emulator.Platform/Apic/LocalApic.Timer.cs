namespace Emulator.Platform;

/// <summary>
/// The APIC timer (SDM vol. 3, 10.5.4): counts down at the bus clock, 1 GHz as QEMU (one count per
/// guest nanosecond, divided by the divide configuration); one-shot, periodic (deadlines stepped
/// from the load time, so they never drift) or TSC-deadline through IA32_TSC_DEADLINE.
/// </summary>
public sealed partial class LocalApic
{
    private const int OneShotMode = 0;
    private const int PeriodicMode = 1;
    private const int TscDeadlineMode = 2;

    private readonly IDeviceClock _clock;
    private readonly ClockTimeSource _tsc;
    private readonly IDeviceTimer _timer;
    private uint _initialCount;
    private uint _divideConfiguration;
    private long _loadTime;

    /// <summary>IA32_TSC_DEADLINE: the armed deadline (guest TSC), 0 when disarmed or fired.</summary>
    public ulong TscDeadline { get; private set; }

    private int TimerMode => (int)((_lvt[TimerLvt] >> 17) & 3);

    /// <summary>log2 of the divisor: configuration bits 3,1:0 give 2, 4, ... 128, and 111b gives 1.</summary>
    private int DivideShift
    {
        get
        {
            uint code = (_divideConfiguration & 3) | ((_divideConfiguration >> 1) & 4);
            return code == 7 ? 0 : (int)code + 1;
        }
    }

    private uint CurrentCount
    {
        get
        {
            if (TimerMode == TscDeadlineMode || _initialCount == 0)
            {
                return 0;
            }

            long elapsed = Math.Max(0, _clock.Now - _loadTime) >> DivideShift;
            if (TimerMode == PeriodicMode)
            {
                return _initialCount - (uint)(elapsed % _initialCount);
            }

            return elapsed >= _initialCount ? 0 : _initialCount - (uint)elapsed;
        }
    }

    private void ResetTimer()
    {
        _timer.Cancel();
        _initialCount = 0;
        _divideConfiguration = 0;
        _loadTime = 0;
        TscDeadline = 0;
    }

    private void WriteInitialCount(uint value)
    {
        if (TimerMode == TscDeadlineMode)
        {
            return;
        }

        _initialCount = value;
        _loadTime = _clock.Now;
        ArmCountdown();
    }

    private void WriteDivideConfiguration(uint value)
    {
        _divideConfiguration = value & 0xB;
        ArmCountdown();
    }

    private void WriteTscDeadline(ulong value, ulong tscOffset)
    {
        if (TimerMode != TscDeadlineMode)
        {
            return;
        }

        TscDeadline = value;
        if (value == 0)
        {
            _timer.Cancel();
            return;
        }

        long now = _clock.Now;
        ulong guestTsc = unchecked(_tsc.ToTicks(now) + tscOffset);
        _timer.Arm(value <= guestTsc ? now : SaturatingAdd(now, _tsc.ToNanoseconds(value - guestTsc)));
    }

    private void TimerModeChanged()
    {
        // Entering or leaving TSC-deadline mode disarms the timer (SDM 10.5.4.1); one-shot/periodic keep counting.
        _timer.Cancel();
        TscDeadline = 0;
        if (TimerMode == TscDeadlineMode)
        {
            _initialCount = 0;
            return;
        }

        ArmCountdown();
    }

    private void ArmCountdown()
    {
        if (_initialCount == 0 || TimerMode == TscDeadlineMode)
        {
            _timer.Cancel();
            return;
        }

        long period = (long)_initialCount << DivideShift;
        long elapsed = Math.Max(0, _clock.Now - _loadTime);
        if (TimerMode == OneShotMode)
        {
            if (elapsed < period)
            {
                _timer.Arm(_loadTime + period);
            }
            else
            {
                _timer.Cancel();
            }

            return;
        }

        _timer.Arm(SaturatingAdd(_loadTime, ((elapsed / period) + 1) * period));
    }

    private void TimerExpired()
    {
        if (TimerMode == TscDeadlineMode)
        {
            TscDeadline = 0;
        }

        DeliverLocal(TimerLvt);
        if (TimerMode == PeriodicMode)
        {
            ArmCountdown();
        }
    }

    private static long SaturatingAdd(long a, long b) => b > long.MaxValue - a ? long.MaxValue : a + b;
}
