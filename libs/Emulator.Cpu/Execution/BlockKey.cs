using System.Runtime.CompilerServices;

namespace Emulator.Cpu;

/// <summary>
/// What identifies a decoded block: the PHYSICAL address of its first byte (so a write to a
/// physical page finds every block on it, whatever linear aliases reach it), the instruction
/// pointer it was decoded at (Iced resolves relative branches against it), and the mode bits that
/// change how the same bytes decode or behave.
/// </summary>
public readonly record struct BlockKey(ulong Address, ulong Ip, byte Mode)
{
    /// <summary>The mode byte: bit 0 CS.L (in IA-32e mode), bit 1 CS.D, bits 2-3 CPL, bit 4 SS.B, bit 5 CR0.PE, bit 6 EFLAGS.VM.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte ModeOf(in CpuState state)
    {
        uint cs = state.Segments[(int)SegmentRegister.Cs].Flags;
        int mode = ((cs & SegmentFlags.Long) != 0 && state.LongModeActive ? 1 : 0)
            | ((cs & SegmentFlags.Big) != 0 ? 2 : 0)
            | ((state.Cpl & 3) << 2)
            | ((state.Segments[(int)SegmentRegister.Ss].Flags & SegmentFlags.Big) != 0 ? 0x10 : 0)
            | ((state.Cr0 & Cr0Bits.PE) != 0 ? 0x20 : 0)
            | ((state.Rflags & RflagsBits.VM) != 0 ? 0x40 : 0);
        return (byte)mode;
    }
}
