using System.Runtime.InteropServices;

namespace Emulator.Cpu;

/// <summary>
/// A segment register with its hidden descriptor cache: what the processor loaded from the
/// descriptor, used by every access until the selector is reloaded. <see cref="Flags"/> is the
/// descriptor's high dword as QEMU keeps it (attributes in bits 8-23, see <see cref="SegmentFlags"/>),
/// so a dump shows the same numbers QEMU shows. 24 bytes; offsets in <see cref="CpuStateLayout"/>.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct SegmentCache
{
    public ulong Base;

    /// <summary>The byte-granular limit (already scaled by the G bit).</summary>
    public uint Limit;

    public uint Flags;

    public ushort Selector;

    public SegmentCache(ushort selector, ulong @base, uint limit, uint flags)
    {
        Selector = selector;
        Base = @base;
        Limit = limit;
        Flags = flags;
    }

    /// <summary>The descriptor privilege level (bits 13-14 of <see cref="Flags"/>).</summary>
    public readonly int Dpl => (int)((Flags & SegmentFlags.DplMask) >> SegmentFlags.DplShift);

    /// <summary>The 4-bit descriptor type (bits 8-11 of <see cref="Flags"/>).</summary>
    public readonly int Type => (int)((Flags & SegmentFlags.TypeMask) >> SegmentFlags.TypeShift);
}
