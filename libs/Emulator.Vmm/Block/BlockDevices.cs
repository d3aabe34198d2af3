using Emulator.Platform;
using Emulator.Posix;
using Emulator.VhostUser;
using Emulator.Vmm.CommandLine;

namespace Emulator.Vmm.Block;

/// <summary>
/// The machine's virtio-blk-pci functions: per planned disk, an <c>emu-block</c> the emulator starts
/// (through the <see cref="DeviceManager"/>, so it dies with us) or a connection to a vhost-user-blk
/// server someone else started, a <see cref="VhostUserPciDevice"/> on it, attached to the next free
/// PCI slot. A server that fails at start is a <see cref="BlockDeviceException"/> naming the option. An
/// emu-block of ours that dies later is started again and the device replays its session to it (rings at
/// their indexes, the in-flight log handed back, so the requests it had taken are resubmitted): the
/// guest sees nothing. A server someone else started that dies puts its device in DEVICE_NEEDS_RESET.
/// </summary>
public sealed class BlockDevices : IDisposable
{
    public const string ServerProgram = "emu-block";

    /// <summary>virtio's device ID for a block device.</summary>
    public const int DeviceType = 2;

    /// <summary>
    /// struct virtio_blk_config up to write_zeroes_may_unmap and its padding: what QEMU exposes for the
    /// features these servers offer (no secure erase, no zones). Servers built on older headers
    /// (qemu-storage-daemon 7.2) refuse a GET_CONFIG larger than their struct.
    /// </summary>
    public const uint ConfigSize = 60;

    private readonly List<AttachedDisk> _disks = [];
    private readonly BlockDevicesContext _context;
    private readonly Lock _lock = new();
    private bool _disposed;

    private BlockDevices(BlockDevicesContext context)
    {
        _context = context;
    }

    /// <summary>
    /// Starts or connects every disk's server and attaches its function, in plan order. The caller then
    /// assigns PCI resources and calls <see cref="MapBars"/>. On failure what was started is stopped again.
    /// </summary>
    public static BlockDevices Start(BlockPlan plan, BlockDevicesContext context)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(context);
        var devices = new BlockDevices(context);
        try
        {
            for (int i = 0; i < plan.Disks.Count; i++)
            {
                devices.StartOne(plan.Disks[i], $"blk{i}:{plan.Disks[i].Id}");
            }

            return devices;
        }
        catch
        {
            devices.Dispose();
            throw;
        }
    }

    /// <summary>The virtio-blk-pci functions, in plan order (empty once disposed).</summary>
    public IReadOnlyList<VirtioPciFunction> Functions => [.. Snapshot().Select(d => d.Device.Function)];

    /// <summary>Puts every function's BARs on the MMIO bus, once PCI resources are assigned. Throws <see cref="BusConflictException"/>.</summary>
    public void MapBars()
    {
        foreach (AttachedDisk disk in Snapshot())
        {
            disk.Device.Function.MapBars(_context.Platform.Mmio, disk.Server.Id);
        }
    }

    /// <summary>A machine reset, on the vCPU thread with the guest stopped: every disk's device is reset (its server gets GET_VRING_BASE and RESET_DEVICE).</summary>
    public void Reset()
    {
        foreach (AttachedDisk disk in Snapshot())
        {
            disk.Device.Function.SystemReset();
        }
    }

    /// <summary>A server died (reported on a thread-pool thread): its device asks the driver for a reset, on the vCPU thread.</summary>
    public void OnServerExited(string serverId)
    {
        foreach (AttachedDisk disk in Snapshot())
        {
            if (disk.Lives is { } lives && lives.Owns(serverId))
            {
                _context.Log($"disk '{disk.Plan.Id}': its server is gone; starting a new one");
            }
            else if (disk.Lives is null && disk.Server.Id == serverId)
            {
                _context.Log($"disk '{disk.Plan.Id}': its server is gone, the device needs a reset");
                _context.Platform.Post(disk.Device.Function.NeedsReset);
            }
        }
    }

    /// <summary>Closes the connections; the servers are stopped by the manager afterwards.</summary>
    public void Dispose()
    {
        List<AttachedDisk> disks;
        lock (_lock)
        {
            _disposed = true;
            disks = [.. _disks];
            _disks.Clear();
        }

        foreach (AttachedDisk disk in disks)
        {
            disk.Device.Dispose();
        }
    }

    private List<AttachedDisk> Snapshot()
    {
        lock (_lock)
        {
            return _disposed ? [] : [.. _disks];
        }
    }

    private void StartOne(PlannedDisk disk, string serverId)
    {
        DeviceConnection server;
        DeviceServerCommand? command = null;
        bool owned = disk.Image is not null;
        try
        {
            if (disk.Image is { } image)
            {
                // emu-block would say so too, but only after a process start; this names the option.
                if (!File.Exists(image.File))
                {
                    throw new BlockDeviceException($"{disk.Origin}: Could not open '{image.File}': No such file or directory");
                }

                // The server need not share our working directory: it gets the full path.
                PlannedDisk absolute = disk with { Image = image with { File = Path.GetFullPath(image.File) } };
                command = _context.Locator.Command(ServerProgram, [.. absolute.ServerArguments()]);
                server = _context.Manager.Spawn(serverId, command, callerReportsSetUpFailure: true);
            }
            else
            {
                server = _context.Manager.Connect(serverId, disk.SocketPath ?? throw new InvalidOperationException("a disk without image or socket"));
            }
        }
        catch (DeviceManagerException e)
        {
            throw new BlockDeviceException($"{disk.Origin}: {e.Message}", e);
        }

        VhostUserPciDevice device;
        ServerLives? lives = command is not null ? new ServerLives(_context.Manager, command, serverId, server) : null;
        var frontend = new VhostUserFrontend(Fd.Duplicate(server.Socket), _context.TimeoutMs);
        try
        {
            device = new VhostUserPciDevice(
                frontend,
                _context.Memory,
                _context.Platform.ApicBus,
                _context.Platform.Post,
                new VhostUserPciDeviceOptions
                {
                    DeviceType = DeviceType,
                    ConfigSize = ConfigSize,
                    QueueCount = disk.NumQueues,
                    Name = serverId,
                    Log = _context.Log,
                    InvalidateCode = _context.InvalidateCode,
                    Reconnect = lives is null ? null : () => new VhostUserFrontend(Fd.Duplicate(lives.Respawn().Socket), _context.TimeoutMs),
                });
        }
        catch (Exception e) when (e is VhostUserProtocolException or PosixException)
        {
            frontend.Dispose();

            // A server that cannot open its image says why on stderr and exits; the broken
            // connection is only the echo of that.
            string reason = owned && WaitForEnd(server) && server.ExitStatus is int status
                ? $"{ServerProgram} (pid {server.ProcessId}) exited with status {status}"
                : e.Message;
            _context.Manager.Stop(server);
            throw new BlockDeviceException($"{disk.Origin}: could not start disk '{disk.Id}': {reason}", e);
        }

        if (owned)
        {
            _context.Manager.CompleteSetUp(server);
        }

        lock (_lock)
        {
            _disks.Add(new AttachedDisk(disk, server, device, lives));
        }

        PcPlatform platform = _context.Platform;
        int slot = platform.Pci.Bus.FreeSlot();
        platform.Pci.Bus.Attach(slot, 0, device.Function);
        device.Function.InterruptLine = platform.PciInterrupt(slot, 0);
    }

    private static bool WaitForEnd(DeviceConnection server)
    {
        for (int i = 0; i < 100 && !server.HasEnded; i++)
        {
            Thread.Sleep(20);
        }

        return server.HasEnded;
    }
}
