using System.Diagnostics;
using Emulator.Posix;
using Emulator.VhostUser;

namespace Emulator.Bench;

/// <summary>
/// The whole bench: one device server (the test peer's echo device), its ring driven from here through
/// each regime, the control requests, its idle CPU, then the same kick round trip against emu-chardev's
/// virtio-console when that exists. Progress lines go to the writer given; the figures come back as a <see cref="BenchReport"/>.
/// </summary>
public sealed class BenchRun
{
    private const VhostUserProtocolFeatures WantedProtocolFeatures = VhostUserProtocolFeatures.ReplyAck | VhostUserProtocolFeatures.Status;
    /// <summary>VIRTIO_F_VERSION_1 only: without EVENT_IDX every completion is signalled, which the round trip waits for.</summary>
    private const ulong WantedFeatures = 1UL << 32;

    private const byte DeviceStatusOk = 0x0f; // ACKNOWLEDGE | DRIVER | DRIVER_OK | FEATURES_OK
    private static readonly TimeSpan HogStartDelay = TimeSpan.FromMilliseconds(300);

    private readonly BenchSettings _settings;
    private readonly TextWriter _progress;

    public BenchRun(BenchSettings settings, TextWriter progress)
    {
        _settings = settings;
        _progress = progress;
    }

    /// <summary>Runs everything and returns the report; false in <paramref name="ok"/> if a measurement failed (reported in a note).</summary>
    public BenchReport Execute(out bool ok)
    {
        using DeviceServer server = DeviceServer.StartTestPeer();
        var report = new BenchReport
        {
            Server = $"{server.Name}, pid {server.Pid}, spawned with --fd",
            FrontendWait = $"spin (yielding) on used.idx up to {KickRing.SpinBudget.TotalMicroseconds:F0} us, then poll() on the call eventfd; a sample ends once the call eventfd is read",
            ServerWait = $"VringWorker: spins (yielding; off for 100 ms after a yield shows contention) {VringWorker.DefaultSpinWindow.TotalMicroseconds:F0} us after the last kick or chain, then sleeps in poll()",
            Chain = $"{ChainShape.Echo.ReadableBytes}-byte readable + {ChainShape.Echo.WritableBytes}-byte writable descriptor, queue size {KickRing.QueueSize}, memfd guest RAM",
            Pacing = $"back-to-back = one uninterrupted series; bursts = {KickSeries.BurstSize} back-to-back, then {KickSeries.BurstPause.TotalMilliseconds:F0} ms asleep (unmeasured); "
                + "queued = us per round trip this thread / the server's ring thread were runnable but not running (contention, or an idle vCPU "
                + "waking; for idle gaps ours includes waking from the gaps); same CPU = bursts ending with both threads on one CPU",
        };

        server.Frontend.Negotiate(WantedFeatures, WantedProtocolFeatures);
        using (var ring = new KickRing(server.Frontend, 0, ChainShape.Echo))
        {
            var series = new KickSeries(ring, server.Pid);
            Step("warm-up");
            series.WarmUp(_settings.WarmUp, FrontendWait.Adaptive);
            series.WarmUp(_settings.WarmUp / 4, FrontendWait.PollOnly);

            Step($"idle device server for {_settings.IdleMeasurement.TotalSeconds:F0} s");
            report.IdleServerCpu = MeasureIdle(server.Pid);

            Step("kick round trips, back-to-back");
            int samples = _settings.KickSamples;
            TimeSpan cap = _settings.SeriesCap;
            report.AddKick(BenchReport.BackToBackKey, "kick, back-to-back", series.Run(FrontendWait.Adaptive, samples, cap, Pacing.BackToBack));
            report.AddKick("back_to_back_poll_wait", "kick, back-to-back, front-end poll() only",
                series.Run(FrontendWait.PollOnly, samples, cap, Pacing.BackToBack));
            report.AddKick("bursts", $"kick, back-to-back in bursts of {KickSeries.BurstSize} after {KickSeries.BurstPause.TotalMilliseconds:F0} ms idle",
                series.Run(FrontendWait.Adaptive, samples, cap, Pacing.Bursts));

            Step("kick round trips with idle gaps");
            report.AddKick("idle_gaps", "kick, idle gaps of 1-2 ms (server asleep)",
                series.Run(FrontendWait.Adaptive, _settings.IdleGapSamples, cap, Pacing.IdleGaps));

            using (var hogs = new CpuHogs(Environment.ProcessorCount))
            {
                Step($"kick round trips under load ({hogs.Count} busy-loop processes)");
                Thread.Sleep(HogStartDelay);
                report.AddKick("back_to_back_loaded", $"kick, back-to-back bursts under load ({hogs.Count} busy loops)",
                    series.Run(FrontendWait.Adaptive, samples, cap, Pacing.Bursts));
                report.AddKick("back_to_back_loaded_poll_wait", "kick, same under load, front-end poll() only",
                    series.Run(FrontendWait.PollOnly, samples, cap, Pacing.Bursts));
            }

            Step("control requests");
            VhostUserFrontend f = server.Frontend;
            int warmUp = _settings.ControlSamples / 10;
            report.AddControl("get_features", "GET_FEATURES (request + reply)", ControlSeries.Run(() => f.GetFeatures(), warmUp, _settings.ControlSamples));
            report.AddControl("set_status_reply_ack", "SET_STATUS with NEED_REPLY (REPLY_ACK status)",
                ControlSeries.Run(() => f.SetStatus(DeviceStatusOk), warmUp, _settings.ControlSamples));
        }

        int exit = server.CloseAndWait();
        if (exit != 0)
        {
            throw new InvalidOperationException($"{server.Name} exited with {exit} after the hang-up (it logs why on stderr)");
        }

        ok = MeasureChardev(report);
        return report;
    }

    private CpuShare MeasureIdle(int pid)
    {
        Thread.Sleep(_settings.IdleSettle);
        ProcessCpu before = ProcessCpu.Read(pid);
        long start = Stopwatch.GetTimestamp();
        Thread.Sleep(_settings.IdleMeasurement);
        TimeSpan wall = Stopwatch.GetElapsedTime(start);
        return CpuShare.Between(before, ProcessCpu.Read(pid), wall);
    }

    /// <summary>The virtio-console row; false if emu-chardev offers one but the measurement failed.</summary>
    private bool MeasureChardev(BenchReport report)
    {
        string? launcher = ChardevServer.FindLauncher();
        if (launcher is null)
        {
            report.AddNote($"no bin/{ChardevServer.LauncherName} found above {AppContext.BaseDirectory}: virtio-console row skipped");
            return true;
        }

        Step($"asking {ChardevServer.LauncherName} for its capabilities");
        string? capabilities = ChardevServer.ReadCapabilities(launcher, out string reason);
        if (capabilities is null || !capabilities.Contains("virtio-console", StringComparison.Ordinal))
        {
            report.AddNote(capabilities is null
                ? $"{reason}: virtio-console row skipped"
                : $"{ChardevServer.LauncherName} --print-capabilities does not mention virtio-console: row skipped");
            return true;
        }

        Step($"kick round trips against {ChardevServer.LauncherName}");
        try
        {
            using DeviceServer server = ChardevServer.Start(launcher);
            server.Frontend.Negotiate(WantedFeatures, WantedProtocolFeatures);
            using (var ring = new KickRing(server.Frontend, 1, ChainShape.TransmitOnly))
            {
                var series = new KickSeries(ring, server.Pid);
                series.WarmUp(_settings.WarmUp, FrontendWait.Adaptive);
                report.AddKick("chardev_back_to_back", $"kick, back-to-back, {ChardevServer.LauncherName} virtio-console tx",
                    series.Run(FrontendWait.Adaptive, _settings.KickSamples, _settings.SeriesCap, Pacing.BackToBack));
                report.AddKick("chardev_bursts", $"kick, back-to-back bursts, {ChardevServer.LauncherName} console tx",
                    series.Run(FrontendWait.Adaptive, _settings.KickSamples, _settings.SeriesCap, Pacing.Bursts));
            }

            int exit = server.CloseAndWait();
            if (exit != 0)
            {
                throw new InvalidOperationException($"it exited with {exit} after the hang-up");
            }

            return true;
        }
        catch (Exception e) when (e is VhostUserProtocolException or PosixException or TimeoutException or InvalidOperationException or IOException)
        {
            report.AddNote($"ERROR: {ChardevServer.LauncherName} offers virtio-console but the kick round trip failed: {e.Message}");
            return false;
        }
    }

    private void Step(string what) => _progress.WriteLine($"bench: {what}...");
}
