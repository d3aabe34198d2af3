namespace Emulator.Cpu;

/// <summary>
/// What identifies a decoded block: where its code starts and the mode bits that change how the
/// same bytes decode or behave (CS.L, CS.D, CPL). The address is the LINEAR start for now; once
/// paging is wired it becomes the physical address, so aliases share a block and a write to the
/// physical page finds every block on it.
/// </summary>
public readonly record struct BlockKey(ulong Address, byte Mode)
{
    /// <summary>The mode byte: bit 0 CS.L, bit 1 CS.D, bits 2-3 CPL.</summary>
    public static byte ModeOf(in CpuState state)
    {
        uint cs = state.Segments[(int)SegmentRegister.Cs].Flags;
        int mode = ((cs & SegmentFlags.Long) != 0 && state.LongModeActive ? 1 : 0)
            | ((cs & SegmentFlags.Big) != 0 ? 2 : 0)
            | ((state.Cpl & 3) << 2);
        return (byte)mode;
    }
}
