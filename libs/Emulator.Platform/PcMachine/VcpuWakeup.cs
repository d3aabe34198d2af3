namespace Emulator.Platform;

/// <summary>
/// Parks a halted vCPU thread until a timer deadline or until another thread hands it work
/// (<see cref="Signal"/>). A signal given while the thread is not waiting is kept, so it is never lost.
/// </summary>
public sealed class VcpuWakeup
{
    // Monitor.Wait takes at most int.MaxValue milliseconds.
    private static readonly TimeSpan MaxWait = TimeSpan.FromMilliseconds(int.MaxValue);

    private readonly object _gate = new();
    private bool _signalled;

    /// <summary>Thread-safe: wakes the vCPU thread now or makes its next <see cref="Wait"/> return at once.</summary>
    public void Signal()
    {
        lock (_gate)
        {
            _signalled = true;
            Monitor.Pulse(_gate);
        }
    }

    /// <summary>Sleeps up to <paramref name="timeout"/> (null: until signalled); true when signalled.</summary>
    public bool Wait(TimeSpan? timeout)
    {
        lock (_gate)
        {
            if (!_signalled && timeout != TimeSpan.Zero)
            {
                if (timeout is { } limit)
                {
                    Monitor.Wait(_gate, limit > MaxWait ? MaxWait : limit);
                }
                else
                {
                    Monitor.Wait(_gate);
                }
            }

            bool signalled = _signalled;
            _signalled = false;
            return signalled;
        }
    }
}
