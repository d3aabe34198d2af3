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
/// guest sees nothing. A server someone else started is treated so too when its chardev has
/// <c>reconnect=N</c> (QEMU's reconnecting client socket): the device connects to the same path every N
/// seconds until a server listens there again, then replays the session; meanwhile the guest's requests
/// wait. At start such a disk waits for its server the same way, as QEMU does. Without <c>reconnect=</c>
/// a server someone else started that dies puts its device in DEVICE_NEEDS_RESET.
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
                _context.Log(lives.Spawns
                    ? $"disk '{disk.Plan.Id}': its server is gone; starting a new one"
                    : $"disk '{disk.Plan.Id}': its server is gone; reconnecting to {disk.Plan.SocketPath} every {Seconds(disk.Plan.Reconnect)}");
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
                server = Connect(disk, serverId);
            }
        }
        catch (DeviceManagerException e)
        {
            throw new BlockDeviceException($"{disk.Origin}: {e.Message}", e);
        }

        VhostUserPciDevice device;
        ServerLives? lives = command is not null ? ServerLives.Spawned(_context.Manager, command, serverId, server)
            : disk is { Reconnect: not null, SocketPath: { } path } ? ServerLives.Connected(_context.Manager, path, serverId, server)
            : null;
        int reconnectMs = disk.Reconnect is { } every ? (int)Math.Min(every.TotalMilliseconds, int.MaxValue) : 0;
        var frontend = new VhostUserFrontend(Fd.Duplicate(server.Socket), _context.TimeoutMs);
        try
        {
            var options = new VhostUserPciDeviceOptions
            {
                DeviceType = DeviceType,
                ConfigSize = ConfigSize,
                QueueCount = disk.NumQueues,
                Name = serverId,
                Log = _context.Log,
                InvalidateCode = _context.InvalidateCode,
                Reconnect = lives is null ? null : () => new VhostUserFrontend(Fd.Duplicate(lives.Next().Socket), _context.TimeoutMs),

                // QEMU's reconnecting chardev: one attempt every reconnect= seconds, neither faster nor slower.
                ReconnectDelayMs = owned ? VhostUserPciDeviceOptions.DefaultReconnectDelayMs : reconnectMs,
                ReconnectMaxDelayMs = owned ? VhostUserPciDeviceOptions.DefaultReconnectMaxDelayMs : reconnectMs,
            };
            device = new VhostUserPciDevice(frontend, _context.Memory, _context.Platform.ApicBus, _context.Platform.Post, options);
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

    /// <summary>
    /// Connects to a server someone else started. With <c>reconnect=N</c> an absent server is waited for, one
    /// attempt every N seconds, as QEMU's vhost-user-blk waits for its chardev (tcp_chr_wait_connected); only
    /// the machine being told to stop ends the wait.
    /// </summary>
    private DeviceConnection Connect(PlannedDisk disk, string serverId)
    {
        string path = disk.SocketPath ?? throw new InvalidOperationException("a disk without image or socket");
        bool waiting = false;
        while (true)
        {
            try
            {
                DeviceConnection server = _context.Manager.Connect(serverId, path);
                if (waiting)
                {
                    _context.Log($"disk '{disk.Id}': connected to its server at {path}");
                }

                return server;
            }
            catch (DeviceManagerException e) when (disk.Reconnect is { } every)
            {
                if (!waiting)
                {
                    _context.Log($"{disk.Origin}: {e.Message}; waiting for the server, retrying every {Seconds(every)}");
                    waiting = true;
                }

                if (WaitOrStop(every))
                {
                    throw new BlockDeviceException($"{disk.Origin}: stopped while waiting for the server at {path}", e);
                }
            }
        }
    }

    /// <summary>Sleeps <paramref name="time"/> in short steps; true when the machine was told to stop meanwhile.</summary>
    private bool WaitOrStop(TimeSpan time)
    {
        long deadline = Environment.TickCount64 + (long)time.TotalMilliseconds;
        while (Environment.TickCount64 < deadline)
        {
            if (_context.Stopping())
            {
                return true;
            }

            Thread.Sleep((int)Math.Clamp(deadline - Environment.TickCount64, 1, 100));
        }

        return _context.Stopping();
    }

    /// <summary>"N s", or "N ms" for a reconnect-ms= that is no whole number of seconds.</summary>
    private static string Seconds(TimeSpan? time)
    {
        long ms = (long)(time ?? TimeSpan.Zero).TotalMilliseconds;
        return ms % 1000 == 0 ? $"{ms / 1000} s" : $"{ms} ms";
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
