using System.Buffers.Binary;
using System.Diagnostics;
using Emulator.Memory;
using Emulator.Platform;
using Emulator.Posix;
using Emulator.System.Tests.EndToEnd;
using Emulator.VhostUser;
using Emulator.Virtio;
using Emulator.Vmm;
using Emulator.Vmm.Block;
using Emulator.Vmm.CommandLine;
using L = Emulator.Platform.VirtioPciLayout;

namespace Emulator.System.Tests.Block;

/// <summary>
/// <see cref="BlockDevices"/> on a pc platform without a vCPU: the servers it starts or connects to,
/// the functions on the PCI bus, their configuration read through the BARs as a driver reads it.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class BlockDevicesTests : IDisposable
{
    private const long DiskSize = 1 << 20;

    private readonly ScratchDirectory _scratch = new();
    private readonly GuestMemory _memory = GuestMemory.Create((0, 0x10_0000));
    private readonly PcPlatform _platform;
    private readonly DeviceManager _manager = new(new DeviceManagerOptions { HandleTerminationSignals = false, Log = _ => { } });
    private readonly List<string> _log = [];

    public BlockDevicesTests()
    {
        _platform = new PcPlatform(new PcPlatformOptions { Memory = _memory, Layout = new RamLayout(0x10_0000) });
    }

    [Fact]
    public void An_owned_drive_is_a_virtio_blk_function_whose_capacity_comes_from_emu_block()
    {
        string image = Image("a.img");
        using BlockDevices devices = Start(new PlannedDisk("d0", "-drive test") { Image = new DiskImage(image, "raw", false, false, false), NumQueues = 2 });

        VirtioPciFunction function = Assert.Single(devices.Functions);
        Assert.Equal(0x1AF4u, function.ReadConfig(0, 2));
        Assert.Equal(0x1042u, function.ReadConfig(2, 2));
        Assert.Equal((ulong)(DiskSize / 512), ReadDeviceConfig(function, 0, 8));
        Assert.Equal(2UL, ReadDeviceConfig(function, 34, 2));
        int pid = Assert.Single(_manager.Connections).ProcessId ?? 0;
        Assert.True(pid > 0);
    }

    [Fact]
    public void A_missing_image_names_the_option_and_starts_nothing()
    {
        BlockDeviceException e = Assert.Throws<BlockDeviceException>(() =>
            Start(new PlannedDisk("d0", "-drive file=nope") { Image = new DiskImage(_scratch.File("nope"), "raw", false, false, false) }));
        Assert.Equal($"-drive file=nope: Could not open '{_scratch.File("nope")}': No such file or directory", e.Message);
        Assert.Empty(_manager.Connections);
    }

    [Fact]
    public void A_server_that_cannot_open_its_image_is_a_start_error()
    {
        string image = Image("raw.img");
        int freeSlot = _platform.Pci.Bus.FreeSlot();
        BlockDeviceException e = Assert.Throws<BlockDeviceException>(() =>
            Start(new PlannedDisk("d0", "-drive file=raw.img") { Image = new DiskImage(image, "qcow2", false, false, false) }));
        Assert.StartsWith("-drive file=raw.img: could not start disk 'd0': ", e.Message, StringComparison.Ordinal);
        Assert.Equal(freeSlot, _platform.Pci.Bus.FreeSlot());
    }

    [Fact]
    public void A_vhost_user_blk_server_someone_else_started_answers_every_config_field()
    {
        // qemu-storage-daemon's libvhost-user answers GET_CONFIG from offset 0 whatever is asked:
        // blk_size (offset 20) must still read 512.
        string image = Image("q.img");
        string socket = _scratch.File("q.sock");
        using Process qsd = StartQsd(image, socket);
        try
        {
            using BlockDevices devices = Start(new PlannedDisk("c0", "-device vhost-user-blk-pci,chardev=c0") { SocketPath = socket });
            VirtioPciFunction function = Assert.Single(devices.Functions);
            Assert.Equal((ulong)(DiskSize / 512), ReadDeviceConfig(function, 0, 8));
            Assert.Equal(512UL, ReadDeviceConfig(function, 20, 4));
        }
        finally
        {
            ProcessControl.Kill(qsd.Id, Signals.SIGTERM);
            Assert.True(qsd.WaitForExit(Patience.WaitMs));
        }
    }

    [Fact]
    public void More_queues_than_the_server_has_is_a_start_error()
    {
        string socket = _scratch.File("mq.sock");
        using Process qsd = StartQsd(Image("mq.img"), socket);
        try
        {
            BlockDeviceException e = Assert.Throws<BlockDeviceException>(() =>
                Start(new PlannedDisk("c0", "-device vhost-user-blk-pci,chardev=c0,num-queues=2") { SocketPath = socket, NumQueues = 2 }));
            Assert.Equal("-device vhost-user-blk-pci,chardev=c0,num-queues=2: could not start disk 'c0': 2 queues were asked for, the server has 1", e.Message);
        }
        finally
        {
            ProcessControl.Kill(qsd.Id, Signals.SIGTERM);
            Assert.True(qsd.WaitForExit(Patience.WaitMs));
        }
    }

    [Fact]
    public void Qemu_storage_daemons_answer_to_set_log_base_is_accepted()
    {
        // libvhost-user answers SET_LOG_BASE with the request's first u64 (the log's size), not 0.
        string socket = _scratch.File("log.sock");
        using Process qsd = StartQsd(Image("log.img"), socket);
        try
        {
            using var frontend = new VhostUserFrontend(UnixSocket.Connect(socket), Patience.WaitMs);
            frontend.Negotiate(VirtioTransportFeatures.Version1 | VhostUserFeatureBits.ProtocolFeatures | VhostUserFeatureBits.LogAll,
                VhostUserProtocolFeatures.LogShmfd | VhostUserProtocolFeatures.ReplyAck);
            frontend.SetMemTable(_memory);
            using DirtyLog log = frontend.EnableDirtyLog(_memory);
            Assert.Same(log, frontend.DirtyLog);
        }
        finally
        {
            ProcessControl.Kill(qsd.Id, Signals.SIGTERM);
            Assert.True(qsd.WaitForExit(Patience.WaitMs));
        }
    }

    [Fact]
    public void No_server_at_the_socket_is_a_start_error()
    {
        BlockDeviceException e = Assert.Throws<BlockDeviceException>(() =>
            Start(new PlannedDisk("c0", "-device vhost-user-blk-pci,chardev=c0") { SocketPath = _scratch.File("none.sock") }));
        Assert.StartsWith("-device vhost-user-blk-pci,chardev=c0: cannot connect", e.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _manager.StopAll();
        _manager.Dispose();
        _memory.Dispose();
        _scratch.Dispose();
    }

    internal static Process StartQsd(string image, string socket)
    {
        var start = new ProcessStartInfo("qemu-storage-daemon") { UseShellExecute = false, RedirectStandardError = true };
        foreach (string arg in (string[])["--blockdev", $"driver=file,node-name=f,filename={image}",
            "--export", $"type=vhost-user-blk,id=e,node-name=f,addr.type=unix,addr.path={socket},writable=on"])
        {
            start.ArgumentList.Add(arg);
        }

        Process process = Process.Start(start) ?? throw new InvalidOperationException("could not start qemu-storage-daemon (apt-get install qemu-system-x86)");
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        long deadline = Environment.TickCount64 + Patience.WaitMs;
        while (!File.Exists(socket) && !process.HasExited && Environment.TickCount64 < deadline)
        {
            Thread.Sleep(20);
        }

        Assert.True(File.Exists(socket), "qemu-storage-daemon did not listen");
        return process;
    }

    private BlockDevices Start(params PlannedDisk[] disks)
    {
        RepoLayout.RequireBuild();
        BlockDevices devices = BlockDevices.Start(new BlockPlan(disks, []), new BlockDevicesContext
        {
            Manager = _manager,
            Locator = new DeviceServerLocator(Path.Combine(RepoLayout.Root, "bin"), null),
            Memory = _memory,
            Platform = _platform,
            Log = _log.Add,
        });
        _platform.AssignPciResources();
        devices.MapBars();
        return devices;
    }

    private string Image(string name)
    {
        string path = _scratch.File(name);
        using var file = new FileStream(path, FileMode.CreateNew);
        file.SetLength(DiskSize);
        return path;
    }

    private ulong ReadDeviceConfig(VirtioPciFunction function, ulong offset, int size)
    {
        function.WriteConfig(PciFunction.CommandOffset, 2, function.Command | 0x2u);
        Span<byte> bytes = stackalloc byte[8];
        bytes.Clear();
        Assert.True(_platform.Mmio.TryRead(function.BarAddress(L.RegionBar) + L.DeviceOffset + offset, bytes[..size]));
        return BinaryPrimitives.ReadUInt64LittleEndian(bytes);
    }
}
