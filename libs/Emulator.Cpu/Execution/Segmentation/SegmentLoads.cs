namespace Emulator.Cpu;

/// <summary>
/// Loading ES, SS, DS, FS and GS (Intel SDM vol. 3, 5.4-5.6, and vol. 2 MOV/POP/LDS pseudocode).
/// Real mode: base = selector &lt;&lt; 4 with limit and attributes kept (so "unreal" limits survive).
/// Virtual-8086 mode: limit 64 KiB, a DPL 3 writable data segment. Protected and IA-32e mode:
/// null-selector rules, type, RPL/CPL/DPL and present checks, with faults carrying
/// <c>selector &amp; 0xFFFC</c>, and the accessed bit set in the descriptor.
/// A null data selector leaves an unusable segment (present clear, base 0), as Intel and AMD
/// processors with "null selector clears base" do.
/// </summary>
public static class SegmentLoads
{
    private const uint Vm86Data = SegmentFlags.Present | SegmentFlags.CodeOrData | SegmentFlags.ReadableOrWritable | SegmentFlags.Accessed | (3u << SegmentFlags.DplShift);

    /// <summary>Checks and loads <paramref name="register"/> (not CS); nothing changes in the register when it fails.</summary>
    public static bool TryLoad(ExecutionContext cpu, SegmentRegister register, ushort selector, out CpuFault fault)
    {
        ArgumentNullException.ThrowIfNull(cpu);
        if (!TryDescribe(cpu, register, selector, out SegmentCache cache, out fault))
        {
            return false;
        }

        cpu.State.Segment(register) = cache;
        return true;
    }

    /// <summary>What loading <paramref name="selector"/> into <paramref name="register"/> would put in its cache, with every check (the accessed bit is written here).</summary>
    public static bool TryDescribe(ExecutionContext cpu, SegmentRegister register, ushort selector, out SegmentCache cache, out CpuFault fault)
    {
        ArgumentNullException.ThrowIfNull(cpu);
        ref CpuState s = ref cpu.State;
        fault = default;
        if (!s.ProtectedMode)
        {
            cache = s.Segment(register);
            cache.Selector = selector;
            cache.Base = (ulong)selector << 4;
            return true;
        }

        if ((s.Rflags & RflagsBits.VM) != 0)
        {
            cache = new SegmentCache(selector, (ulong)selector << 4, 0xFFFF, Vm86Data);
            return true;
        }

        int cpl = s.Cpl;
        int rpl = selector & 3;
        bool stack = register == SegmentRegister.Ss;
        if ((selector & 0xFFFC) == 0)
        {
            if (stack && !(s.In64BitMode && cpl != 3 && rpl == cpl))
            {
                cache = default;
                fault = CpuFault.GeneralProtection();
                return false;
            }

            cache = new SegmentCache(selector, 0, 0, stack ? (uint)rpl << SegmentFlags.DplShift : 0);
            return true;
        }

        cache = default;
        if (!DescriptorTables.TryRead(cpu, selector, ExceptionVector.GeneralProtection, out ulong address, out SegmentDescriptor d, out fault))
        {
            return false;
        }

        CpuFault bad = CpuFault.GeneralProtection(selector & 0xFFFCu);
        uint type = d.High & (SegmentFlags.CodeOrData | SegmentFlags.Code | SegmentFlags.ReadableOrWritable | SegmentFlags.ConformingOrExpandDown);
        if (stack)
        {
            if (rpl != cpl || !d.IsWritableData || d.Dpl != cpl)
            {
                fault = bad;
                return false;
            }

            if (!d.Present)
            {
                fault = SystemAccess.WithCode(ExceptionVector.StackFault, selector & 0xFFFCu);
                return false;
            }
        }
        else
        {
            bool data = (type & (SegmentFlags.CodeOrData | SegmentFlags.Code)) == SegmentFlags.CodeOrData;
            bool readableCode = (type & (SegmentFlags.CodeOrData | SegmentFlags.Code | SegmentFlags.ReadableOrWritable))
                == (SegmentFlags.CodeOrData | SegmentFlags.Code | SegmentFlags.ReadableOrWritable);
            bool conformingCode = readableCode && (type & SegmentFlags.ConformingOrExpandDown) != 0;
            if (!(data || readableCode) || (!conformingCode && (rpl > d.Dpl || cpl > d.Dpl)))
            {
                fault = bad;
                return false;
            }

            if (!d.Present)
            {
                fault = SystemAccess.WithCode(ExceptionVector.SegmentNotPresent, selector & 0xFFFCu);
                return false;
            }
        }

        if (!DescriptorTables.TrySetTypeBits(cpu, address, d, 1, out fault))
        {
            return false;
        }

        cache = new SegmentDescriptor(d.Raw | (1UL << 40)).ToCache(selector);
        return true;
    }
}
