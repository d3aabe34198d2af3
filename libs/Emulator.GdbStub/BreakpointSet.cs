using System.Collections.Immutable;

namespace Emulator.GdbStub;

/// <summary>
/// Execution breakpoints by linear address, software (Z0) and hardware (Z1) kept apart so a stop says
/// which, and write watchpoints (Z2). Never written into guest RAM. Thread-safe: the debugger thread edits, the vCPU thread reads a
/// snapshot without locking.
/// </summary>
public sealed class BreakpointSet
{
    /// <summary>QEMU limits hardware breakpoints to the four debug registers.</summary>
    public const int MaxHardware = 4;

    /// <summary>The longest watched range; gdb splits longer ones or falls back to software watchpoints.</summary>
    public const ulong MaxWatchLength = 64;

    private readonly Lock _lock = new();
    private ImmutableHashSet<ulong> _software = [];
    private ImmutableHashSet<ulong> _hardware = [];
    private ImmutableList<Watchpoint> _watchpoints = [];

    public bool IsEmpty => Volatile.Read(ref _software).IsEmpty && Volatile.Read(ref _hardware).IsEmpty && Watchpoints.IsEmpty;

    /// <summary>The write watchpoints now set (a snapshot).</summary>
    public ImmutableList<Watchpoint> Watchpoints => Volatile.Read(ref _watchpoints);

    /// <summary><paramref name="length"/> matters for watchpoints only (1 to <see cref="MaxWatchLength"/> bytes, at most <see cref="MaxHardware"/> of them).</summary>
    public bool Add(GdbBreakpointType type, ulong address, ulong length = 1)
    {
        lock (_lock)
        {
            switch (type)
            {
                case GdbBreakpointType.Software:
                    Volatile.Write(ref _software, _software.Add(address));
                    return true;
                case GdbBreakpointType.Hardware when _hardware.Count < MaxHardware || _hardware.Contains(address):
                    Volatile.Write(ref _hardware, _hardware.Add(address));
                    return true;
                case GdbBreakpointType.WriteWatchpoint when length is > 0 and <= MaxWatchLength && _watchpoints.Count < MaxHardware:
                    Volatile.Write(ref _watchpoints, _watchpoints.Add(new Watchpoint(address, (int)length)));
                    return true;
                default:
                    return false;
            }
        }
    }

    /// <summary>Removing a breakpoint that is not there succeeds, as gdb expects.</summary>
    public bool Remove(GdbBreakpointType type, ulong address, ulong length = 1)
    {
        lock (_lock)
        {
            switch (type)
            {
                case GdbBreakpointType.Software:
                    Volatile.Write(ref _software, _software.Remove(address));
                    return true;
                case GdbBreakpointType.Hardware:
                    Volatile.Write(ref _hardware, _hardware.Remove(address));
                    return true;
                case GdbBreakpointType.WriteWatchpoint:
                    Volatile.Write(ref _watchpoints, _watchpoints.Remove(new Watchpoint(address, (int)Math.Min(length, int.MaxValue))));
                    return true;
                default:
                    return false;
            }
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            Volatile.Write(ref _software, []);
            Volatile.Write(ref _hardware, []);
            Volatile.Write(ref _watchpoints, []);
        }
    }

    /// <summary>The stop reason for an instruction at <paramref name="linear"/>, or null when none is set there.</summary>
    public GdbStopReason? Match(ulong linear) =>
        Volatile.Read(ref _software).Contains(linear) ? GdbStopReason.SoftwareBreakpoint
        : Volatile.Read(ref _hardware).Contains(linear) ? GdbStopReason.HardwareBreakpoint
        : null;
}
