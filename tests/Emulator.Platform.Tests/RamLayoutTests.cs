namespace Emulator.Platform.Tests;

public sealed class RamLayoutTests
{
    [Fact]
    public void SmallRamIsOneRegionWithTheLowHoleInTheMap()
    {
        var layout = new RamLayout(128UL << 20);
        Assert.Equal([(0UL, 128UL << 20)], layout.Regions);
        Assert.Equal(
            [new(0, 0x9_FC00, 1), new(0x9_FC00, 0x400, 2), new(0xF_0000, 0x1_0000, 2), new(0x10_0000, (128UL << 20) - 0x10_0000, 1)],
            layout.MemoryMap);
    }

    [Fact]
    public void MoreThan3Point5GiBSplitsAt0xE0000000AndContinuesAt4GiB()
    {
        var layout = new RamLayout(4UL << 30);
        Assert.Equal([(0UL, 0xE000_0000UL), (0x1_0000_0000UL, 0x2000_0000UL)], layout.Regions);
        Assert.Equal(new MemoryMapEntry(0x1_0000_0000, 0x2000_0000, 1), layout.MemoryMap[^1]);
    }

    [Fact]
    public void ExactlyTheLimitStaysBelow4GiB()
    {
        var layout = new RamLayout(0xE000_0000);
        Assert.Equal(0UL, layout.AboveFourGiB);
        Assert.Single(layout.Regions);
    }
}
