namespace Emulator.Platform.Tests;

public sealed class PciBarAllocatorTests
{
    [Fact]
    public void BarsAreAlignedInsideTheirWindowsAndDecodingIsEnabled()
    {
        var host = new PciHost();
        var a = new PciFunction(0x1AF4, 0x1041, 0x02_0000);
        a.DefineBar(0, PciBarKind.Io, 0x20);
        a.DefineBar(1, PciBarKind.Memory32, 0x1000);
        a.DefineBar(4, PciBarKind.Memory64Prefetchable, 0x4000);
        var b = new PciFunction(0x1AF4, 0x1042, 0x01_0000);
        b.DefineBar(0, PciBarKind.Io, 0x40);
        b.DefineBar(2, PciBarKind.Memory32, 0x10_0000);
        host.Bus.Attach(2, 0, a);
        host.Bus.Attach(3, 0, b);
        var config = new PcFirmwareConfig();
        new PciBarAllocator(config.PciMmioBase, config.PciMmioEnd).AssignAll(host.Bus);

        var placed = new List<(ulong Start, ulong Size)>
        {
            (a.BarAddress(1), 0x1000), (a.BarAddress(4), 0x4000), (b.BarAddress(2), 0x10_0000),
        };
        foreach ((ulong start, ulong size) in placed)
        {
            Assert.Equal(0UL, start % size);
            Assert.InRange(start, config.PciMmioBase, config.PciMmioEnd - size + 1);
        }

        Assert.Equal(placed.Count, placed.Select(p => p.Start).Distinct().Count());
        Assert.Equal(0xE000_0000UL, b.BarAddress(2)); // largest first
        Assert.InRange(a.BarAddress(0), 0xC000UL, 0xFFFFUL);
        Assert.Equal(0UL, a.BarAddress(0) % 0x20);
        Assert.Equal(0xC000UL, b.BarAddress(0));
        Assert.Equal(0x3, a.Command & 0x3);
        Assert.Equal(0UL, a.BarAddress(4) >> 32);
    }

    [Fact]
    public void AFullWindowIsReported()
    {
        var device = new PciFunction(0x1AF4, 0x1041, 0);
        device.DefineBar(0, PciBarKind.Memory32, 0x2000);
        Assert.Throws<BusConflictException>(() => new PciBarAllocator(0xE000_0000, 0xE000_0FFF).Assign(device, 0));
    }
}
