namespace Emulator.Cpu;

/// <summary>
/// Intel SDM vol. 1, 19.5 "Protection and I/O": in protected mode with CPL &gt; IOPL, or in virtual-8086
/// mode, an access to ports [port, port + size) is allowed only when every one of their bits in the
/// TSS's I/O permission bitmap is clear. The bitmap starts at the 16-bit offset stored at TSS + 66h;
/// two bytes are read for every check (an access may straddle a byte), and any of them beyond the
/// TSS limit, a TSS that is not a 32/64-bit one, or a set bit is #GP(0). As QEMU's <c>check_io</c>.
/// </summary>
internal static class IoPermission
{
    private const uint IoMapBaseOffset = 0x66;

    public static bool Check(ExecutionContext cpu, ushort port, int size, out CpuFault fault)
    {
        fault = default;
        ref CpuState s = ref cpu.State;
        if ((s.Cr0 & Cr0Bits.PE) == 0)
        {
            return true;
        }

        bool virtual8086 = !s.LongModeActive && (s.Rflags & RflagsBits.VM) != 0;
        int iopl = (int)((s.Rflags >> 12) & 3);
        if (!virtual8086 && (s.Cpl & 3) <= iopl)
        {
            return true;
        }

        CpuFault generalProtection = SystemAccess.WithCode(ExceptionVector.GeneralProtection, 0);

        // Types 9 and 11: an available or busy 32-bit (or, in IA-32e mode, 64-bit) TSS.
        if ((s.Tr.Flags & SegmentFlags.Present) == 0 || (s.Tr.Type & 0b1101) != 0b1001 || s.Tr.Limit < IoMapBaseOffset + 1)
        {
            fault = generalProtection;
            return false;
        }

        Span<byte> bytes = stackalloc byte[2];
        if (!SystemAccess.TryRead(cpu, SystemAccess.Wrap(s, s.Tr.Base + IoMapBaseOffset), bytes, out fault))
        {
            return false;
        }

        ulong offset = BitConverter.ToUInt16(bytes) + ((ulong)port >> 3);
        if (offset + 1 > s.Tr.Limit)
        {
            fault = generalProtection;
            return false;
        }

        if (!SystemAccess.TryRead(cpu, SystemAccess.Wrap(s, s.Tr.Base + offset), bytes, out fault))
        {
            return false;
        }

        int mask = ((1 << size) - 1) << (port & 7);
        if ((BitConverter.ToUInt16(bytes) & mask) != 0)
        {
            fault = generalProtection;
            return false;
        }

        return true;
    }
}
