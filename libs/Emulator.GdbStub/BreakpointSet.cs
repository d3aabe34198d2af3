using System.Collections.Immutable;

namespace Emulator.GdbStub;

/// <summary>
/// Execution breakpoints by linear address, software (Z0) and hardware (Z1) kept apart so a stop says
/// which. Never written into guest RAM. Thread-safe: the debugger thread edits, the vCPU thread reads a
/// snapshot without locking.
/// </summary>
public sealed class BreakpointSet
{
    /// <summary>QEMU limits hardware breakpoints to the four debug registers.</summary>
    public const int MaxHardware = 4;

    private readonly Lock _lock = new();
    private ImmutableHashSet<ulong> _software = [];
    private ImmutableHashSet<ulong> _hardware = [];

    public bool IsEmpty => Volatile.Read(ref _software).IsEmpty && Volatile.Read(ref _hardware).IsEmpty;

    public bool Add(GdbBreakpointType type, ulong address)
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
                default:
                    return false;
            }
        }
    }

    /// <summary>Removing a breakpoint that is not there succeeds, as gdb expects.</summary>
    public bool Remove(GdbBreakpointType type, ulong address)
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
        }
    }

    /// <summary>The stop reason for an instruction at <paramref name="linear"/>, or null when none is set there.</summary>
    public GdbStopReason? Match(ulong linear) =>
        Volatile.Read(ref _software).Contains(linear) ? GdbStopReason.SoftwareBreakpoint
        : Volatile.Read(ref _hardware).Contains(linear) ? GdbStopReason.HardwareBreakpoint
        : null;
}
