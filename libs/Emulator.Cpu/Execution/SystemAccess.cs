namespace Emulator.Cpu;

/// <summary>
/// Implicit supervisor-mode accesses (GDT, LDT, IDT, TSS, and the inner-privilege stack of an
/// interrupt): through <see cref="PagedMemory.TryReadSystem"/> when paging is modelled, else a plain
/// access. Selector faults carry the EXT bit the caller passes (SDM vol. 3, 6.13).
/// </summary>
internal static class SystemAccess
{
    public static bool TryRead(ExecutionContext cpu, ulong linear, Span<byte> destination, out CpuFault fault) =>
        cpu.Memory is PagedMemory paged
            ? paged.TryReadSystem(linear, destination, out fault)
            : cpu.Memory.TryRead(linear, destination, MemoryAccess.Read, out fault);

    public static bool TryWrite(ExecutionContext cpu, ulong linear, ReadOnlySpan<byte> source, out CpuFault fault) =>
        cpu.Memory is PagedMemory paged
            ? paged.TryWriteSystem(linear, source, out fault)
            : cpu.Memory.TryWrite(linear, source, MemoryAccess.Write, out fault);

    public static CpuFault WithCode(byte vector, uint errorCode) => new(vector, errorCode, 0, true);

    /// <summary>Reads the descriptor <paramref name="selector"/> names; outside its table is <paramref name="vector"/>(selector + EXT).</summary>
    public static bool TryReadDescriptor(ExecutionContext cpu, ushort selector, byte vector, uint ext, out SegmentDescriptor descriptor, out CpuFault fault)
    {
        ref CpuState s = ref cpu.State;
        descriptor = default;
        bool local = (selector & 4) != 0;
        ulong tableBase = local ? s.Ldtr.Base : s.Gdtr.Base;
        ulong limit = local ? s.Ldtr.Limit : s.Gdtr.Limit;
        ulong offset = selector & ~7UL;
        if (offset + 7 > limit || (local && (s.Ldtr.Flags & SegmentFlags.Present) == 0))
        {
            fault = WithCode(vector, (selector & ~3u) + ext);
            return false;
        }

        Span<byte> bytes = stackalloc byte[8];
        if (!TryRead(cpu, Wrap(s, tableBase + offset), bytes, out fault))
        {
            return false;
        }

        descriptor = new SegmentDescriptor(BitConverter.ToUInt64(bytes));
        return true;
    }

    /// <summary>Reads <paramref name="size"/> bytes at <paramref name="offset"/> in the current TSS; past TR's limit is #TS(TR + EXT).</summary>
    public static bool TryReadTss(ExecutionContext cpu, uint offset, int size, uint ext, out ulong value, out CpuFault fault)
    {
        ref CpuState s = ref cpu.State;
        value = 0;
        if ((ulong)offset + (ulong)size - 1 > s.Tr.Limit || (s.Tr.Flags & SegmentFlags.Present) == 0)
        {
            fault = WithCode(ExceptionVector.InvalidTss, (s.Tr.Selector & ~3u) + ext);
            return false;
        }

        Span<byte> bytes = stackalloc byte[8];
        bytes.Clear();
        if (!TryRead(cpu, Wrap(s, s.Tr.Base + offset), bytes[..size], out fault))
        {
            return false;
        }

        value = BitConverter.ToUInt64(bytes);
        return true;
    }

    /// <summary>Outside IA-32e mode linear addresses are 32 bits.</summary>
    public static ulong Wrap(in CpuState state, ulong linear) => state.LongModeActive ? linear : linear & 0xFFFF_FFFF;

    public static bool IsCanonical(ulong address) => (ulong)(((long)address << 16) >> 16) == address;
}
