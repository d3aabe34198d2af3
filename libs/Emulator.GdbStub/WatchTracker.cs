using System.Collections.Immutable;

namespace Emulator.GdbStub;

/// <summary>
/// Write watchpoints without hooks in the memory path: the watched bytes are read before and after each
/// instruction and a change stops the guest, as gdb's own software watchpoints decide. So a store of the
/// value already there is not reported (QEMU's TCG would report it). vCPU thread only.
/// </summary>
public sealed class WatchTracker
{
    private ImmutableList<Watchpoint> _watched = [];
    private byte[][] _values = [];

    /// <summary>Reads the current values of <paramref name="watchpoints"/>; an unreadable one is skipped until it reads.</summary>
    public void Capture(IDebugMemory memory, ImmutableList<Watchpoint> watchpoints)
    {
        _watched = watchpoints;
        _values = new byte[watchpoints.Count][];
        for (int i = 0; i < watchpoints.Count; i++)
        {
            _values[i] = Read(memory, watchpoints[i]);
        }
    }

    /// <summary>True (with the watched address) when a value differs from the last capture; the new values become the reference.</summary>
    public bool TryFindChange(IDebugMemory memory, out ulong address)
    {
        address = 0;
        bool changed = false;
        for (int i = 0; i < _watched.Count; i++)
        {
            byte[] now = Read(memory, _watched[i]);
            if (!changed && !now.AsSpan().SequenceEqual(_values[i]))
            {
                changed = true;
                address = _watched[i].Address;
            }

            _values[i] = now;
        }

        return changed;
    }

    private static byte[] Read(IDebugMemory memory, Watchpoint watchpoint)
    {
        byte[] value = new byte[watchpoint.Length];
        return memory.TryRead(watchpoint.Address, value) ? value : [];
    }
}
