namespace Emulator.Cpu;

/// <summary>
/// Bits of <see cref="SegmentCache.Flags"/>: the segment descriptor's high dword, in QEMU's
/// <c>DESC_*_MASK</c> layout (Intel SDM vol. 3, 3.4.5 "Segment Descriptors").
/// </summary>
public static class SegmentFlags
{
    /// <summary>Bits 8-11: the descriptor type.</summary>
    public const int TypeShift = 8;

    public const uint TypeMask = 15u << TypeShift;

    /// <summary>Type bit 0: accessed (code and data).</summary>
    public const uint Accessed = 1u << 8;

    /// <summary>Type bit 1: readable (code) or writable (data).</summary>
    public const uint ReadableOrWritable = 1u << 9;

    /// <summary>Type bit 2: conforming (code) or expand-down (data).</summary>
    public const uint ConformingOrExpandDown = 1u << 10;

    /// <summary>Type bit 3: a code segment (with <see cref="CodeOrData"/>).</summary>
    public const uint Code = 1u << 11;

    /// <summary>S: a code or data segment rather than a system descriptor.</summary>
    public const uint CodeOrData = 1u << 12;

    public const int DplShift = 13;

    public const uint DplMask = 3u << DplShift;

    public const uint Present = 1u << 15;

    public const uint Available = 1u << 20;

    /// <summary>L: a 64-bit code segment (meaningful in IA-32e mode).</summary>
    public const uint Long = 1u << 21;

    /// <summary>D/B: 32-bit default operand size (code) or big stack/upper bound (data).</summary>
    public const uint Big = 1u << 22;

    /// <summary>G: the limit counts 4 KiB pages.</summary>
    public const uint Granularity = 1u << 23;

    /// <summary>The attribute bits a dump shows (the rest of the dword holds base bits 16-23 and 24-31).</summary>
    public const uint AttributeMask = 0x00FFFF00;

    /// <summary>System descriptor type 2: LDT.</summary>
    public const int TypeLdt = 2;

    /// <summary>System descriptor type 11: busy 32-bit (or 64-bit) TSS.</summary>
    public const int TypeBusyTss = 11;
}
