using Emulator.Platform;

namespace Emulator.Platform.Tests;

public class PortRangeTests
{
    [Theory]
    [InlineData(0x3F8, 8, 0x3F8, true)]
    [InlineData(0x3F8, 8, 0x3FF, true)]
    [InlineData(0x3F8, 8, 0x400, false)]
    [InlineData(0x3F8, 8, 0x3F7, false)]
    [InlineData(0xFFFF, 1, 0xFFFF, true)]
    public void Contains_is_half_open(int first, int count, int port, bool expected) =>
        Assert.Equal(expected, new PortRange((ushort)first, count).Contains((ushort)port));
}
