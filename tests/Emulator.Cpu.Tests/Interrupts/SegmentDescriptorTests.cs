namespace Emulator.Cpu.Tests.Interrupts;

public sealed class SegmentDescriptorTests
{
    [Fact]
    public void DecodesBaseLimitAndAttributes()
    {
        ulong raw = InterruptMachine.Descriptor(0x1234_5678, 0xABCDE, InterruptMachine.Code32Flags | InterruptMachine.Dpl3);
        var d = new SegmentDescriptor(raw);
        Assert.Equal(0x1234_5678ul, d.Base);
        Assert.Equal(0xABCD_EFFFu, d.Limit);
        Assert.Equal(3, d.Dpl);
        Assert.True(d.IsCode && d.Present && d.Big && !d.Long && !d.Conforming && !d.IsWritableData);
        SegmentCache cache = d.ToCache(0x2B);
        Assert.Equal(3, cache.Dpl);
        Assert.Equal(0x1234_5678ul, cache.Base);
    }

    [Fact]
    public void ByteGranularDataDescriptor()
    {
        var d = new SegmentDescriptor(InterruptMachine.Descriptor(0x10, 0x67, SegmentFlags.Present | SegmentFlags.CodeOrData | SegmentFlags.ReadableOrWritable));
        Assert.Equal(0x67u, d.Limit);
        Assert.True(d.IsWritableData && !d.IsCode);
    }
}
