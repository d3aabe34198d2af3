using Emulator.Options;
using Emulator.Vmm.CommandLine;

namespace Emulator.System.Tests.Block;

/// <summary>-drive, -blockdev and the block -devices, parsed and planned: no process, no boot.</summary>
public sealed class BlockCommandLineTests
{
    [Fact]
    public void A_virtio_drive_is_one_disk_served_by_emu_block()
    {
        BlockPlan plan = Plan("-drive", "file=disk.img,format=raw,if=virtio");
        PlannedDisk disk = Assert.Single(plan.Disks);
        Assert.Equal("virtio0", disk.Id);
        Assert.Equal(new DiskImage("disk.img", "raw", false, false, false), disk.Image);
        Assert.Null(disk.SocketPath);
        Assert.Equal(
            ["--blk-file", "disk.img", "--format", "raw", "--cache", "writeback", "--discard", "ignore", "--num-queues", "1"],
            disk.ServerArguments());
    }

    [Fact]
    public void Drive_options_reach_the_server_arguments()
    {
        BlockPlan plan = Plan("-drive", "file=a,,b.qcow2,format=qcow2,if=virtio,id=d,readonly=on,cache=none,discard=unmap,serial=SN1");
        PlannedDisk disk = Assert.Single(plan.Disks);
        Assert.Equal("d", disk.Id);
        Assert.Equal(
            ["--blk-file", "a,b.qcow2", "--format", "qcow2", "--read-only", "--serial", "SN1", "--cache", "none", "--discard", "unmap", "--num-queues", "1"],
            disk.ServerArguments());
    }

    [Fact]
    public void An_unformatted_drive_is_probed_by_the_server()
    {
        PlannedDisk disk = Assert.Single(Plan("-drive", "file=x,if=virtio").Disks);
        Assert.DoesNotContain("--format", disk.ServerArguments());
    }

    [Fact]
    public void An_if_none_drive_needs_a_device_and_the_device_comes_first()
    {
        Assert.Empty(Plan("-drive", "file=a,if=none,id=d0").Disks);
        BlockPlan plan = Plan("-drive", "file=v,if=virtio", "-drive", "file=a,if=none,id=d0,serial=S",
            "-device", "virtio-blk-pci,drive=d0,num-queues=2,id=disk0");
        Assert.Equal(["disk0", "virtio0"], plan.Disks.Select(d => d.Id));
        Assert.Equal("a", plan.Disks[0].Image?.File);
        Assert.Equal("S", plan.Disks[0].Serial);
        Assert.Equal(2, plan.Disks[0].NumQueues);
    }

    [Fact]
    public void Blockdev_nodes_inline_and_by_reference()
    {
        BlockPlan inline = Plan("-blockdev", "driver=qcow2,node-name=n0,file.driver=file,file.filename=i.qcow2,read-only=on",
            "-device", "virtio-blk-pci,drive=n0,serial=X");
        PlannedDisk disk = Assert.Single(inline.Disks);
        Assert.Equal(new DiskImage("i.qcow2", "qcow2", true, false, false), disk.Image);
        Assert.Equal("X", disk.Serial);

        BlockPlan byRef = Plan("-blockdev", "driver=file,node-name=f,filename=r.img,cache.direct=on",
            "-blockdev", "driver=raw,node-name=r,file=f", "-device", "virtio-blk,drive=r");
        Assert.Equal(new DiskImage("r.img", "raw", false, true, false), Assert.Single(byRef.Disks).Image);

        BlockPlan fileOnly = Plan("-blockdev", "driver=file,node-name=f,filename=r.img", "-device", "virtio-blk-pci,drive=f");
        Assert.Equal("raw", Assert.Single(fileOnly.Disks).Image?.Format);
    }

    [Fact]
    public void A_vhost_user_chardev_is_taken_from_the_chardev_servers()
    {
        VmConfiguration config = Parse("-chardev", "socket,id=c0,path=/tmp/blk.sock", "-chardev", "null,id=n",
            "-device", "vhost-user-blk-pci,chardev=c0,num-queues=2");
        BlockPlan plan = BlockPlanner.Plan(config);
        PlannedDisk disk = Assert.Single(plan.Disks);
        Assert.Equal("/tmp/blk.sock", disk.SocketPath);
        Assert.Null(disk.Image);
        Assert.Equal(2, disk.NumQueues);
        Assert.Equal(["null,id=n"], plan.OtherChardevs);
    }

    [Theory]
    [InlineData("socket,id=c0,path=/tmp/blk.sock,reconnect=1", 1000)]
    [InlineData("socket,id=c0,path=/tmp/blk.sock,reconnect=30", 30_000)]
    [InlineData("socket,id=c0,reconnect=2,path=/tmp/blk.sock", 2000)]
    [InlineData("socket,id=c0,path=/tmp/blk.sock,reconnect-ms=250", 250)]
    [InlineData("socket,id=c0,path=/tmp/blk.sock,reconnect=0", null)]
    [InlineData("socket,id=c0,path=/tmp/blk.sock", null)]
    public void A_vhost_user_chardevs_reconnect_reaches_its_disk(string chardev, int? expectedMs)
    {
        PlannedDisk disk = Assert.Single(Plan("-chardev", chardev, "-device", "vhost-user-blk-pci,chardev=c0").Disks);
        Assert.Equal("/tmp/blk.sock", disk.SocketPath);
        Assert.Equal(expectedMs is int ms ? TimeSpan.FromMilliseconds(ms) : null, disk.Reconnect);
    }

    [Theory]
    [InlineData("Parameter 'reconnect' expects a number between 0 and", "reconnect=-1")]
    [InlineData("reconnect", "reconnect=x")]
    [InlineData("reconnect", "reconnect=1.5")]
    [InlineData("reconnect", "reconnect=")]
    [InlineData("Parameter 'reconnect' expects a number between 0 and", "reconnect=99999999999")]
    [InlineData("'reconnect' and 'reconnect-ms' are mutually exclusive", "reconnect=1,reconnect-ms=5")]
    [InlineData("'reconnect' option is incompatible with socket in server listen mode", "reconnect=1,server=on")]
    public void A_bad_reconnect_on_a_vhost_user_chardev_is_the_chardevs_error(string expected, string option)
    {
        string chardev = $"socket,id=c0,path=/tmp/blk.sock,{option}";
        OptionsException e = Assert.Throws<OptionsException>(() => Plan("-chardev", chardev, "-device", "vhost-user-blk-pci,chardev=c0"));
        Assert.StartsWith($"-chardev {chardev}: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Theory]
    [InlineData("if=ide", "-drive", "file=x")]
    [InlineData("if=virtio", "-drive", "file=x,if=ide")]
    [InlineData("unsupported bus type 'scsi'", "-drive", "file=x,if=scsi")]
    [InlineData("Parameter 'file' is missing", "-drive", "if=virtio")]
    [InlineData("Unknown driver 'vmdk'", "-drive", "file=x,if=virtio,format=vmdk")]
    [InlineData("Invalid parameter 'snapshot'", "-drive", "file=x,if=virtio,snapshot=on")]
    [InlineData("cache=unsafe is not available", "-drive", "file=x,if=virtio,cache=unsafe")]
    [InlineData("Invalid discard option", "-drive", "file=x,if=virtio,discard=maybe")]
    [InlineData("at most 20 printable", "-drive", "file=x,if=virtio,serial=123456789012345678901")]
    [InlineData("Duplicate ID 'd' for drive", "-drive", "file=x,if=none,id=d", "-drive", "file=y,if=none,id=d")]
    [InlineData("can't find value 'nope'", "-device", "virtio-blk-pci,drive=nope")]
    [InlineData("drive property not set", "-device", "virtio-blk-pci")]
    [InlineData("it's in use", "-drive", "file=x,if=none,id=d", "-device", "virtio-blk-pci,drive=d", "-device", "virtio-blk-pci,drive=d")]
    [InlineData("it's in use", "-drive", "file=x,if=virtio,id=d", "-device", "virtio-blk-pci,drive=d")]
    [InlineData("num-queues '0'", "-drive", "file=x,if=none,id=d", "-device", "virtio-blk-pci,drive=d,num-queues=0")]
    [InlineData("Duplicate ID 'a' for device", "-drive", "file=x,if=none,id=d", "-drive", "file=y,if=none,id=e",
        "-device", "virtio-blk-pci,drive=d,id=a", "-device", "virtio-blk-pci,drive=e,id=a")]
    [InlineData("Parameter 'driver' does not accept value 'nbd'", "-blockdev", "driver=nbd,node-name=n")]
    [InlineData("Parameter 'node-name' is missing", "-blockdev", "driver=file,filename=x")]
    [InlineData("Parameter 'file' is missing", "-blockdev", "driver=qcow2,node-name=n")]
    [InlineData("JSON form", "-blockdev", "{\"driver\":\"file\"}")]
    [InlineData("Duplicate nodes with node-name='n'", "-blockdev", "driver=file,node-name=n,filename=a", "-blockdev", "driver=file,node-name=n,filename=b")]
    [InlineData("Cannot find a driver=file node", "-blockdev", "driver=raw,node-name=r,file=missing")]
    [InlineData("Cannot reference an existing block device", "-blockdev", "driver=raw,node-name=r,file=f,file.filename=x")]
    [InlineData("it's in use", "-blockdev", "driver=file,node-name=f,filename=a", "-blockdev", "driver=raw,node-name=r,file=f", "-device", "virtio-blk-pci,drive=f")]
    [InlineData("Invalid node-name", "-blockdev", "driver=file,node-name=0bad,filename=a")]
    [InlineData("chardev is mandatory", "-device", "vhost-user-blk-pci")]
    [InlineData("can't find value 'c9'", "-device", "vhost-user-blk-pci,chardev=c9")]
    [InlineData("must be a UNIX socket that connects", "-chardev", "socket,id=c0,path=/tmp/s,server=on,wait=off", "-device", "vhost-user-blk-pci,chardev=c0")]
    [InlineData("must be a UNIX socket that connects", "-chardev", "null,id=c0", "-device", "vhost-user-blk-pci,chardev=c0")]
    [InlineData("it's in use", "-chardev", "socket,id=c0,path=/tmp/s", "-device", "vhost-user-blk-pci,chardev=c0", "-device", "vhost-user-blk-pci,chardev=c0")]
    [InlineData("it's in use", "-chardev", "socket,id=c0,path=/tmp/s", "-serial", "chardev:c0", "-device", "vhost-user-blk-pci,chardev=c0")]
    public void Bad_block_options_are_clear_errors(string expected, params string[] args)
    {
        OptionsException e = Assert.Throws<OptionsException>(() => Plan(args));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.StartsWith("-", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Device_help_lists_the_block_devices()
    {
        CommandLineResult result = EmulatorCommandLine.Parse(["-device", "help"]);
        Assert.Contains("name \"virtio-blk-pci\", bus PCI", result.Message, StringComparison.Ordinal);
        Assert.Contains("name \"vhost-user-blk-pci\", bus PCI", result.Message, StringComparison.Ordinal);
        Assert.Contains("isa-debug-exit", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Other_devices_still_go_to_their_own_parser()
    {
        VmConfiguration config = Parse("-device", "isa-debug-exit", "-device", "virtio-blk-pci,drive=x");
        Assert.Single(config.DebugExitDevices);
        Assert.Equal(["virtio-blk-pci,drive=x"], config.BlockDevices);
    }

    private static VmConfiguration Parse(params string[] args) =>
        EmulatorCommandLine.Parse(args).Configuration ?? throw new InvalidOperationException("no configuration");

    private static BlockPlan Plan(params string[] args) => BlockPlanner.Plan(Parse(args));
}
