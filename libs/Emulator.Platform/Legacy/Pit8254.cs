namespace Emulator.Platform;

/// <summary>
/// The Intel 8254 programmable interval timer at 0x40-0x43, clocked at 1.193182 MHz of virtual time.
/// Channel 0's OUT drives IRQ 0 (the line is set on each OUT change, at the tick it changes, even
/// when the timer fires late, so no edge is lost); channel 2's gate and OUT are wired to port 0x61
/// (<see cref="SystemControlPortB"/>). Channel 0 and 1 gates are tied high as on the PC.
/// </summary>
public sealed class Pit8254 : IPortDevice
{
    public const long Frequency = 1_193_182;

    private readonly PitChannel[] _channels;
    private readonly IInterruptLine _irq0;
    private readonly IDeviceTimer _timer;
    private long _plannedTick = -1;
    private bool _irqLevel;

    public Pit8254(IDeviceClock clock, IInterruptLine irq0)
    {
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(irq0);
        _irq0 = irq0;
        _channels = [new PitChannel(clock, true), new PitChannel(clock, true), new PitChannel(clock, false)];
        _timer = clock.CreateTimer(OnTimer);
        _channels[0].Changed = Replan;
    }

    public static PortRange Range => new(0x40, 4);

    public PitChannel Channel(int index) => _channels[index];

    /// <summary>The OUT pin of channel <paramref name="index"/> now.</summary>
    public bool Output(int index) => _channels[index].OutAt(_channels[index].NowTick);

    /// <summary>Drives the gate of channel <paramref name="index"/> (only channel 2's is wired, to port 0x61).</summary>
    public void SetGate(int index, bool gate) => _channels[index].SetGate(gate);

    public uint Read(ushort offset, int size) => offset < 3 ? _channels[offset].Read() : 0xFFu;

    public void Write(ushort offset, int size, uint value)
    {
        byte v = (byte)value;
        if (offset < 3)
        {
            _channels[offset].Write(v);
            return;
        }

        int select = v >> 6;
        if (select < 3)
        {
            _channels[select].WriteControl(v);
            return;
        }

        // Read-back: bit 5 clear = latch counts, bit 4 clear = latch status, bits 1-3 select channels.
        for (int i = 0; i < 3; i++)
        {
            if ((v & (2 << i)) == 0)
            {
                continue;
            }

            if ((v & 0x20) == 0)
            {
                _channels[i].LatchCount();
            }

            if ((v & 0x10) == 0)
            {
                _channels[i].LatchStatus();
            }
        }
    }

    private void Replan()
    {
        var channel = _channels[0];
        long now = channel.NowTick;
        SetIrq(channel.OutAt(now));
        Plan(channel.NextTransition(now));
    }

    private void Plan(long tick)
    {
        _plannedTick = tick;
        if (tick < 0)
        {
            _timer.Cancel();
        }
        else
        {
            _timer.Arm(PitChannel.NsAt(tick));
        }
    }

    private void OnTimer()
    {
        var channel = _channels[0];
        long tick = _plannedTick < 0 ? channel.NowTick : _plannedTick;
        SetIrq(channel.OutAt(tick));
        Plan(channel.NextTransition(tick));
    }

    private void SetIrq(bool level)
    {
        if (level != _irqLevel)
        {
            _irqLevel = level;
            _irq0.Set(level);
        }
    }
}
