namespace Emulator.Cpu;

/// <summary>An 8-byte segment descriptor as read from the GDT or LDT (Intel SDM vol. 3, 3.4.5).</summary>
public readonly struct SegmentDescriptor
{
    public SegmentDescriptor(ulong raw) => Raw = raw;

    public ulong Raw { get; }

    /// <summary>The high dword: what <see cref="SegmentCache.Flags"/> holds.</summary>
    public uint High => (uint)(Raw >> 32);

    public ulong Base => ((Raw >> 16) & 0xFF_FFFF) | (((Raw >> 56) & 0xFF) << 24);

    /// <summary>The byte-granular limit (scaled by G).</summary>
    public uint Limit
    {
        get
        {
            uint limit = (uint)(Raw & 0xFFFF) | (High & 0xF_0000);
            return (High & SegmentFlags.Granularity) != 0 ? (limit << 12) | 0xFFF : limit;
        }
    }

    public bool Present => (High & SegmentFlags.Present) != 0;

    public int Dpl => (int)((High & SegmentFlags.DplMask) >> SegmentFlags.DplShift);

    public bool IsCode => (High & (SegmentFlags.CodeOrData | SegmentFlags.Code)) == (SegmentFlags.CodeOrData | SegmentFlags.Code);

    public bool IsWritableData =>
        (High & (SegmentFlags.CodeOrData | SegmentFlags.Code | SegmentFlags.ReadableOrWritable)) == (SegmentFlags.CodeOrData | SegmentFlags.ReadableOrWritable);

    public bool Conforming => (High & SegmentFlags.ConformingOrExpandDown) != 0;

    public bool Long => (High & SegmentFlags.Long) != 0;

    public bool Big => (High & SegmentFlags.Big) != 0;

    public SegmentCache ToCache(ushort selector) => new(selector, Base, Limit, High);
}
