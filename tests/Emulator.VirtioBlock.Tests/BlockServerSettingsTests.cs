using Emulator.DeviceHost;

namespace Emulator.VirtioBlock.Tests;

public sealed class BlockServerSettingsTests
{
    private static BlockServerSettings Parse(params string[] extra) =>
        BlockServerSettings.Parse(DeviceServerArgumentParser.Parse(BlockServerSettings.Definition, ["--socket-path", "/tmp/s", .. extra]));

    [Fact]
    public void Defaults_match_qemu_storage_daemon()
    {
        BlockServerSettings s = Parse("--blk-file", "disk.img");
        Assert.Equal("disk.img", s.BlockFile);
        Assert.Null(s.Format);
        Assert.False(s.DirectIo);
        Assert.False(s.RepairLeaks);
        Assert.Equal(1, s.Device.NumQueues);
        Assert.False(s.Device.ReadOnly);
        Assert.False(s.Device.DiscardUnmap);
        Assert.True(s.Device.Writeback);
        Assert.Equal(string.Empty, s.Device.Serial);
    }

    [Fact]
    public void Every_option_is_read()
    {
        BlockServerSettings s = Parse("--blk-file", "d.qcow2", "--format", "qcow2", "--read-only", "--serial", "SN-0001",
            "--cache", "none", "--discard", "unmap", "--num-queues", "4", "--repair-leaks");
        Assert.Equal("qcow2", s.Format);
        Assert.True(s.RepairLeaks);
        Assert.True(s.DirectIo);
        Assert.True(s.Device.ReadOnly);
        Assert.True(s.Device.DiscardUnmap);
        Assert.Equal(4, s.Device.NumQueues);
        Assert.Equal("SN-0001", s.Device.Serial);
    }

    [Theory]
    [InlineData("--format", "vmdk")]
    [InlineData("--cache", "directsync")]
    [InlineData("--discard", "on")]
    [InlineData("--num-queues", "0")]
    [InlineData("--num-queues", "65")]
    [InlineData("--num-queues", "-1")]
    [InlineData("--num-queues", "1x")]
    [InlineData("--serial", "a-serial-that-is-longer-than-20")]
    [InlineData("--serial", "tab\there")]
    public void Bad_values_are_usage_errors(string option, string value)
    {
        var e = Assert.Throws<DeviceServerUsageException>(() => Parse("--blk-file", "d.img", option, value));
        Assert.Contains(option.TrimStart('-'), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_image_is_required()
    {
        Assert.Throws<DeviceServerUsageException>(() => Parse());
    }
}
