using Emulator.Chardev;
using Emulator.Memory;
using Emulator.VhostUser;

namespace Emulator.Vmm.Chardev;

/// <summary>
/// The CPU process's side of every chardev in a <see cref="ChardevPlan"/>: one <c>emu-chardev</c> per
/// chardev, started through the <see cref="DeviceManager"/>, a <see cref="ChardevClient"/> on it,
/// a <see cref="MonitorPort"/> per monitor stream, and the serial streams kept for the UARTs.
/// A server's C-a x becomes <see cref="ChardevFrontEndsContext.ExitRequested"/>.
/// </summary>
public sealed class ChardevFrontEnds : IDisposable
{
    public const string ServerProgram = "emu-chardev";

    /// <summary>How long shutdown waits for servers to take output still in the rings.</summary>
    private const int OutputDrainMs = 500;

    private readonly List<AttachedChardev> _chardevs = [];
    private readonly ChardevFrontEndsContext _context;
    private readonly Lock _lock = new();
    private bool _disposed;

    private ChardevFrontEnds(ChardevFrontEndsContext context)
    {
        _context = context;
    }

    /// <summary>COM port n's stream, if that port has a chardev (null for a gap).</summary>
    public IReadOnlyList<ChardevStream?> SerialStreams => BuildSerialStreams(Snapshot());

    /// <summary>
    /// Starts a server per chardev and sets up each connection, in command-line order. Throws
    /// <see cref="DeviceManagerException"/> (no server binary, spawn failure) or
    /// <see cref="VhostUserProtocolException"/> (a server failed, e.g. could not open its backend);
    /// what was started is stopped again.
    /// </summary>
    public static ChardevFrontEnds Start(ChardevPlan plan, ChardevFrontEndsContext context)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(context);
        var frontEnds = new ChardevFrontEnds(context);
        try
        {
            foreach (PlannedChardev chardev in plan.Chardevs)
            {
                frontEnds.StartOne(chardev);
            }

            return frontEnds;
        }
        catch
        {
            frontEnds.Dispose();
            throw;
        }
    }

    /// <summary>RESET_DEVICE to every server still running (a machine reset).</summary>
    public void ResetDevices()
    {
        foreach (AttachedChardev chardev in Snapshot())
        {
            if (chardev.Server.HasEnded)
            {
                continue;
            }

            try
            {
                chardev.Client.ResetDevice();
            }
            catch (VhostUserProtocolException e)
            {
                _context.Log($"chardev '{chardev.Plan.Spec.Id}': reset failed: {e.Message}");
            }
        }
    }

    /// <summary>True if the server <paramref name="serverId"/> serves the terminal (a stdio chardev).</summary>
    public bool ServesTerminal(string serverId) =>
        Snapshot().Any(c => c.Server.Id == serverId && c.Plan.Spec.Backend is StdioBackendSpec);

    /// <summary>A server died (reported on a thread-pool thread): its monitors stop; their rings stay mapped until <see cref="Dispose"/>.</summary>
    public void OnServerExited(string serverId)
    {
        foreach (AttachedChardev chardev in Snapshot().Where(c => c.Server.Id == serverId))
        {
            foreach (MonitorPort monitor in chardev.Monitors)
            {
                monitor.Dispose();
            }
        }
    }

    public void Dispose()
    {
        List<AttachedChardev> chardevs;
        lock (_lock)
        {
            _disposed = true;
            chardevs = [.. _chardevs];
            _chardevs.Clear();
        }

        foreach (AttachedChardev chardev in chardevs)
        {
            foreach (MonitorPort monitor in chardev.Monitors)
            {
                monitor.Dispose();
            }
        }

        // The monitor's last answer (or the guest's last line) may still sit in a ring: give each
        // server a bounded moment to take it before the connection goes, as QEMU's single process
        // would have printed it before exiting.
        long deadline = Environment.TickCount64 + OutputDrainMs;
        foreach (AttachedChardev chardev in chardevs)
        {
            foreach (ChardevStream stream in chardev.Client.Streams)
            {
                while (stream.Output.FreeSpace < stream.Output.Ring.Capacity && Environment.TickCount64 < deadline)
                {
                    Thread.Sleep(1);
                }
            }

            chardev.Client.Dispose();
        }
    }

    /// <summary>The running chardevs; empty once disposed, so late server events find nothing to touch.</summary>
    private List<AttachedChardev> Snapshot()
    {
        lock (_lock)
        {
            return _disposed ? [] : [.. _chardevs];
        }
    }

    private void StartOne(PlannedChardev chardev)
    {
        ChardevSpec spec = chardev.Spec;
        DeviceServerCommand command = _context.Locator.Command(
            ServerProgram,
            "--chardev",
            ChardevSpecFormatter.Format(spec),
            "--frontends",
            chardev.StreamSlots.ToString(System.Globalization.CultureInfo.InvariantCulture));
        DeviceConnection server = _context.Manager.Spawn(spec.Id, command, callerReportsSetUpFailure: true);
        var router = new EventRouter(_context.ExitRequested);
        ChardevClient client;
        try
        {
            client = ChardevClient.Connect(server.Socket, new ChardevClientOptions
            {
                Id = spec.Id,
                StreamCount = chardev.FrontEnds.Count,
                Memory = _context.Memory,
                TimeoutMs = spec.Backend is SocketBackendSpec { Server: true, Wait: true } ? -1 : _context.TimeoutMs,
                OnEvent = router.Route,
                Log = _context.Log,
            });
        }
        catch (VhostUserProtocolException e)
        {
            // A server that cannot open its backend says why on stderr and exits; the broken
            // connection is only the echo of that. This is the one message about it in the
            // emulator's log (the manager leaves a failed set-up to us), placed as QEMU places
            // an option's error: "-serial file:/x: ...".
            string reason = WaitForEnd(server) && server.ExitStatus is int status
                ? $"{ServerProgram} (pid {server.ProcessId}) exited with status {status}"
                : e.Message;
            _context.Manager.Stop(server);
            string where = chardev.Origin is string origin ? origin + ": " : string.Empty;
            throw new VhostUserProtocolException($"{where}could not open chardev '{spec.Id}': {reason}", e);
        }

        _context.Manager.CompleteSetUp(server);

        List<MonitorPort> monitors = [];
        foreach (PlannedFrontEnd frontEnd in chardev.FrontEnds.Where(f => f.Kind == FrontEndKind.Monitor))
        {
            var monitor = new MonitorPort(_context.Monitor, client.Streams[frontEnd.Stream], spec.Mux, _context.MonitorOptions, _context.Log);
            monitors.Add(monitor);
            monitor.Start();
        }

        lock (_lock)
        {
            _chardevs.Add(new AttachedChardev(chardev, server, client, monitors));
        }

        router.Attach(monitors);
    }

    private static bool WaitForEnd(DeviceConnection server)
    {
        for (int i = 0; i < 100 && !server.HasEnded; i++)
        {
            Thread.Sleep(20);
        }

        return server.HasEnded;
    }

    private static List<ChardevStream?> BuildSerialStreams(List<AttachedChardev> chardevs)
    {
        List<ChardevStream?> serials = [];
        foreach (AttachedChardev chardev in chardevs)
        {
            foreach (PlannedFrontEnd frontEnd in chardev.Plan.FrontEnds.Where(f => f.Kind == FrontEndKind.Serial))
            {
                while (serials.Count <= frontEnd.Index)
                {
                    serials.Add(null);
                }

                serials[frontEnd.Index] = chardev.Client.Streams[frontEnd.Stream];
            }
        }

        return serials;
    }
}
