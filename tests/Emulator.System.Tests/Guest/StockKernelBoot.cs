using System.Diagnostics;
using Emulator.Posix;
using Emulator.System.Tests.EndToEnd;

namespace Emulator.System.Tests.Guest;

/// <summary>
/// One boot of Debian's stock kernel (the PVH vmlinux of <c>scripts/guest/build.sh</c>) running
/// <see cref="GuestProbeScript"/> and powering off, shared by a whole test class (boots are costly
/// on an interpreter). COM1 goes to a file chardev, so only the <c>emu-chardev</c> process writes
/// the console file; while the guest runs, the fixture records that process as a child of emu and
/// timestamps each console line as it appears. Setup errors (no build, no guest) throw; what the
/// boot did (including a hang, which it ends) is recorded for the tests to judge.
/// </summary>
public sealed class StockKernelBoot : IDisposable
{
    public const string ChardevId = "c0";

    /// <summary>
    /// A guard against a hung boot, not a speed requirement: about a minute on a quiet machine,
    /// several times that on two cores shared with other builds and tests.
    /// </summary>
    private static readonly TimeSpan BootPatience = TimeSpan.FromMinutes(15);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    private readonly ScratchDirectory _scratch = new();

    public StockKernelBoot()
    {
        RepoLayout.RequireBuild();
        Images = GuestImages.Build();
        ConsolePath = _scratch.File("console.txt");
        Arguments =
        [
            "-m", "512", "-display", "none", "-no-reboot",
            "-kernel", Images.Vmlinux, "-initrd", Images.Initrd,
            "-append", "console=ttyS0 quiet emu.run64=" + GuestProbeScript.Base64,
            "-chardev", $"file,id={ChardevId},path={ConsolePath}", "-serial", "chardev:" + ChardevId,
        ];
        Run();
    }

    public GuestImages Images { get; }

    public string ConsolePath { get; }

    public IReadOnlyList<string> Arguments { get; }

    public ConsoleTranscript Transcript { get; } = new();

    /// <summary>emu's exit status, or null when it had to be killed.</summary>
    public int? ExitStatus { get; private set; }

    public string Stderr { get; private set; } = string.Empty;

    /// <summary>From starting emu to the guest's EMU-GUEST-READY line, if it came.</summary>
    public TimeSpan? TimeToReady { get; private set; }

    /// <summary>From starting emu to its exit (or to giving up).</summary>
    public TimeSpan RunTime { get; private set; }

    /// <summary>emu's chardev server child as seen while the guest ran; null if none was seen.</summary>
    public ServerSighting? Server { get; private set; }

    /// <summary>Whether emu itself ever had the console file open (it must not: the server writes it).</summary>
    public bool EmuOpenedConsoleFile { get; private set; }

    /// <summary>Everything a failure message needs.</summary>
    public string Describe() =>
        $"emu exit: {ExitStatus?.ToString(global::System.Globalization.CultureInfo.InvariantCulture) ?? "killed"} after {RunTime}\n"
        + $"stderr:\n{Stderr}\n{Transcript}";

    public void Dispose() => _scratch.Dispose();

    private void Run()
    {
        string stderrPath = _scratch.File("emu.err");
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(Shell.ExecScript("/dev/null", _scratch.File("emu.out"), stderrPath));
        start.ArgumentList.Add(RepoLayout.Emu);
        foreach (string arg in Arguments)
        {
            start.ArgumentList.Add(arg);
        }

        var clock = Stopwatch.StartNew();
        using Process emu = Process.Start(start) ?? throw new InvalidOperationException("could not start bin/emu");
        while (!emu.WaitForExit(PollInterval) && clock.Elapsed < BootPatience)
        {
            Observe(emu.Id, clock);
        }

        if (!emu.HasExited)
        {
            emu.Kill(entireProcessTree: true);
            emu.WaitForExit(Patience.Wait);
        }
        else
        {
            ExitStatus = emu.ExitCode;
        }

        RunTime = clock.Elapsed;

        // The server may still be writing its last bytes when emu has gone: let it finish.
        if (Server is { } server)
        {
            DateTime giveUp = DateTime.UtcNow + Patience.Wait;
            while (!ProcessProbe.IsDead(server.Pid) && DateTime.UtcNow < giveUp)
            {
                Thread.Sleep(PollInterval);
            }

            if (!ProcessProbe.IsDead(server.Pid))
            {
                ProcessControl.Kill(server.Pid, Signals.SIGKILL);
            }
        }

        ReadConsole(clock);
        Stderr = File.Exists(stderrPath) ? File.ReadAllText(stderrPath) : string.Empty;
    }

    private void Observe(int emuPid, Stopwatch clock)
    {
        if (Server is null && ProcessTree.ChardevServer(emuPid, ChardevId) is int pid)
        {
            Server = new ServerSighting(pid, ReadComm(pid), ProcessTree.CommandLine(pid), OpenFiles(pid).Contains(ConsolePath));
        }
        else if (Server is { HadConsoleOpen: false } seen && OpenFiles(seen.Pid).Contains(ConsolePath))
        {
            Server = seen with { HadConsoleOpen = true };
        }

        EmuOpenedConsoleFile |= OpenFiles(emuPid).Contains(ConsolePath);
        ReadConsole(clock);
    }

    private void ReadConsole(Stopwatch clock)
    {
        if (!File.Exists(ConsolePath))
        {
            return;
        }

        Transcript.Update(File.ReadAllText(ConsolePath), DateTimeOffset.UtcNow);
        if (TimeToReady is null && Transcript.First("EMU-GUEST-READY") is not null)
        {
            TimeToReady = clock.Elapsed;
        }
    }

    private static string ReadComm(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/comm").Trim();
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }

    /// <summary>The files <paramref name="pid"/> has open (targets of /proc/PID/fd links); empty once it is gone.</summary>
    private static HashSet<string> OpenFiles(int pid)
    {
        HashSet<string> files = new(StringComparer.Ordinal);
        try
        {
            foreach (string fd in Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd"))
            {
                if (new FileInfo(fd).LinkTarget is string target)
                {
                    files.Add(target);
                }
            }
        }
        catch (IOException)
        {
            // Gone (or an fd closed between listing and reading): what was read so far stands.
        }
        catch (UnauthorizedAccessException)
        {
            // Not ours to look at: nothing to report.
        }

        return files;
    }
}
