namespace Emulator.Cpu;

/// <summary>
/// The kick that wakes a halted vCPU thread: any thread that raises an interrupt (a device server
/// completion, the monitor, another vCPU's IPI) calls <see cref="Signal"/>; the vCPU thread, halted,
/// calls <see cref="Wait"/> until its next timer deadline. A signal given before the wait is not lost.
/// </summary>
public sealed class InterruptWakeup
{
    private readonly object _gate = new();
    private bool _signalled;

    /// <summary>Thread-safe: wakes the waiter (or the next one to wait).</summary>
    public void Signal()
    {
        lock (_gate)
        {
            _signalled = true;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>
    /// Blocks until <see cref="Signal"/> or until <paramref name="timeout"/> passes (null: no limit); true
    /// when signalled. Consumes the signal.
    /// </summary>
    public bool Wait(TimeSpan? timeout)
    {
        lock (_gate)
        {
            if (!_signalled)
            {
                if (timeout is { } limit)
                {
                    if (limit > TimeSpan.Zero)
                    {
                        Monitor.Wait(_gate, limit < TimeSpan.FromDays(1) ? limit : TimeSpan.FromDays(1));
                    }
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
