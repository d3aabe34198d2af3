namespace Emulator.Platform.Tests.Pci.Virtio;

public sealed class MsiMessageTests
{
    [Fact]
    public void Decodes_destination_mode_vector_and_trigger()
    {
        Assert.True(MsiMessage.TryDecode(0xFEE0_3004, 0x0000_8131, out ApicMessage m));
        Assert.Equal(new ApicMessage(0x31, ApicDeliveryMode.LowestPriority, 3, Logical: true, LevelTriggered: true), m);

        Assert.True(MsiMessage.TryDecode(0xFEE0_0000, 0x41, out m));
        Assert.Equal(new ApicMessage(0x41, ApicDeliveryMode.Fixed, 0, Logical: false, LevelTriggered: false), m);
    }

    [Fact]
    public void Rejects_writes_that_are_no_interrupt()
    {
        Assert.False(MsiMessage.TryDecode(0x1000, 0x41, out _));
        Assert.False(MsiMessage.TryDecode(0x1_FEE0_0000, 0x41, out _));
        Assert.False(MsiMessage.TryDecode(0xFEE0_0000, 0x341, out _));
    }
}
