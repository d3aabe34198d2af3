namespace Emulator.Platform;

/// <summary>
/// A switch in an interrupt line: while disconnected the source's level is remembered but not passed
/// on (the HPET's legacy replacement cuts the PIT and RTC off IRQ 0 and 8); reconnecting passes it on.
/// </summary>
internal sealed class InterruptGate(IInterruptLine target) : IInterruptLine
{
    private bool _level;
    private bool _connected = true;

    public bool Connected
    {
        get => _connected;
        set
        {
            if (_connected == value)
            {
                return;
            }

            _connected = value;
            target.Set(value && _level);
        }
    }

    public void Set(bool level)
    {
        _level = level;
        if (_connected)
        {
            target.Set(level);
        }
    }
}
