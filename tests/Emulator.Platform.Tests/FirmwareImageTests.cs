using Emulator.Memory;

namespace Emulator.Platform.Tests;

public sealed class FirmwareImageTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(0x1_0000 - 1)]
    [InlineData(0x1_8000)]
    [InlineData(0x100_0000 + 0x1_0000)]
    public void SizesThatAreNotMultiplesOf64KiBAreRefused(int size)
    {
        var error = Assert.Throws<BootImageException>(() => FirmwareImage.Create(new byte[size], "bios.bin"));
        Assert.Contains("bios.bin", error.Message, StringComparison.Ordinal);
        Assert.Contains("64 KiB", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A256KiBImageEndsAt4GiBAndItsLast128KiBAt1MiB()
    {
        byte[] bytes = new byte[0x4_0000];
        bytes[^1] = 0x5A;
        bytes[^0x2_0000] = 0xA5;
        bytes[0] = 0x11;
        FirmwareImage image = FirmwareImage.Create(bytes, "b");
        Assert.Equal(0xFFFC_0000UL, image.HighBase);
        Assert.Equal((0xE_0000UL, 0x2_0000), (image.IsaBase, image.IsaSize));

        var bus = new MmioBus();
        image.Register(bus);
        Span<byte> one = stackalloc byte[1];
        Assert.True(bus.TryRead(0xFFFF_FFFF, one));
        Assert.Equal(0x5A, one[0]);
        Assert.True(bus.TryRead(0xFFFC_0000, one));
        Assert.Equal(0x11, one[0]);
        Assert.True(bus.TryRead(0xE_0000, one));
        Assert.Equal(0xA5, one[0]);
        Assert.True(bus.TryWrite(0xF_FFFF, [0]));
        Assert.True(bus.TryRead(0xF_FFFF, one));
        Assert.Equal(0x5A, one[0]);
    }

    [Fact]
    public void A64KiBImageFillsOnlyTheTop64KiBOfTheIsaWindowAndRamLeavesItOut()
    {
        byte[] bytes = new byte[0x1_0000];
        bytes[0] = 0x77;
        FirmwareImage image = FirmwareImage.Create(bytes, "b");
        var bus = new MmioBus();
        List<(ulong, int)> writes = [];
        image.Register(bus, (address, length) => writes.Add((address, length)));
        Span<byte> one = stackalloc byte[1];
        Assert.True(bus.TryRead(0xF_0000, one));
        Assert.Equal(0x77, one[0]);
        Assert.True(bus.TryRead(0xFFFF_0000, one));
        Assert.Equal(0x77, one[0]);
        Assert.False(bus.TryRead(0xE_FFFF, one));
        Assert.True(bus.TryWrite(0xFFFF_0010, [1, 2]));
        Assert.Equal([(0xFFFF_0010UL, 2)], writes);
        Assert.Equal([(0UL, 0xF_0000UL), (0x10_0000UL, 0x70_0000UL)], image.RamAround(new RamLayout(0x80_0000)));
    }
}
