using System.Buffers.Binary;

namespace Emulator.Cpu;

/// <summary>
/// Reads and updates GDT/LDT entries as implicit supervisor accesses (Intel SDM vol. 3, 3.5.1):
/// a selector past its table's limit, or an LDT selector with no valid LDT, is
/// <c>vector(selector &amp; 0xFFFC)</c>, never an access outside the table.
/// </summary>
internal static class DescriptorTables
{
    /// <summary>The linear address of the entry <paramref name="selector"/> names, or false when outside its table (<paramref name="bytes"/> = 8 or 16).</summary>
    public static bool TryLocate(in CpuState s, ushort selector, int bytes, out ulong address)
    {
        bool local = (selector & 4) != 0;
        ulong tableBase = local ? s.Ldtr.Base : s.Gdtr.Base;
        ulong limit = local ? s.Ldtr.Limit : s.Gdtr.Limit;
        ulong offset = selector & ~7UL;
        address = SystemAccess.Wrap(s, tableBase + offset);
        return offset + (ulong)bytes - 1 <= limit && (!local || ((s.Ldtr.Flags & SegmentFlags.Present) != 0 && (s.Ldtr.Selector & ~3) != 0));
    }

    /// <summary>Reads the 8-byte descriptor <paramref name="selector"/> names; outside its table is <paramref name="vector"/>(selector &amp; 0xFFFC).</summary>
    public static bool TryRead(ExecutionContext cpu, ushort selector, byte vector, out ulong address, out SegmentDescriptor descriptor, out CpuFault fault)
    {
        descriptor = default;
        if (!TryLocate(cpu.State, selector, 8, out address))
        {
            fault = SystemAccess.WithCode(vector, selector & 0xFFFCu);
            return false;
        }

        Span<byte> bytes = stackalloc byte[8];
        if (!SystemAccess.TryRead(cpu, address, bytes, out fault))
        {
            return false;
        }

        descriptor = new SegmentDescriptor(BinaryPrimitives.ReadUInt64LittleEndian(bytes));
        return true;
    }

    /// <summary>The upper 8 bytes of a 16-byte IA-32e system descriptor at <paramref name="address"/> (its limit already checked by the caller).</summary>
    public static bool TryReadUpper(ExecutionContext cpu, ulong address, out ulong upper, out CpuFault fault)
    {
        upper = 0;
        Span<byte> bytes = stackalloc byte[8];
        if (!SystemAccess.TryRead(cpu, SystemAccess.Wrap(cpu.State, address + 8), bytes, out fault))
        {
            return false;
        }

        upper = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        return true;
    }

    /// <summary>Sets type bits in byte 5 of the descriptor (accessed, or TSS busy) with a locked supervisor write, when not set yet.</summary>
    public static bool TrySetTypeBits(ExecutionContext cpu, ulong address, SegmentDescriptor descriptor, byte bits, out CpuFault fault)
    {
        byte access = (byte)(descriptor.Raw >> 40);
        if ((access & bits) == bits)
        {
            fault = default;
            return true;
        }

        ReadOnlySpan<byte> updated = [(byte)(access | bits)];
        return SystemAccess.TryWrite(cpu, SystemAccess.Wrap(cpu.State, address + 5), updated, out fault);
    }
}
