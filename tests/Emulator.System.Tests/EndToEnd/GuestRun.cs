using System.Diagnostics;

namespace Emulator.System.Tests.EndToEnd;

/// <summary>
/// Runs a guest image under a program (<c>bin/emu</c> or QEMU) with the debug console in a file and
/// isa-debug-exit at F4h, to its exit: the status and the debug console's bytes.
/// </summary>
internal static class GuestRun
{
    public const string QemuProgram = "qemu-system-x86_64";

    /// <summary>QEMU's side of a differential run: TCG, no display, no default devices.</summary>
    public static readonly string[] QemuArgs = ["-M", "pc", "-cpu", "qemu64", "-accel", "tcg", "-display", "none", "-nodefaults", "-m", "128"];

    public static (int Status, string Debugcon, string Stderr) Run(ScratchDirectory scratch, string program, IEnumerable<string> prefix, params string[] args)
    {
        string debugcon = scratch.File($"debugcon-{Guid.NewGuid():N}.txt");
        string stderr = scratch.File($"stderr-{Guid.NewGuid():N}.txt");
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec \"$@\" </dev/null >/dev/null 2>" + Shell.Quote(stderr));
        start.ArgumentList.Add("sh");
        start.ArgumentList.Add(program);
        foreach (string arg in prefix.Concat(args).Concat(["-debugcon", "file:" + debugcon, "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]))
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        if (!process.WaitForExit(Patience.Wait))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{program} did not exit\n{ReadOrEmpty(stderr)}");
        }

        return (process.ExitCode, ReadOrEmpty(debugcon), ReadOrEmpty(stderr));
    }

    public static string FindQemu()
    {
        string? path = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, QemuProgram))
            .FirstOrDefault(File.Exists);
        Assert.True(path is not null, $"{QemuProgram} is not installed: run scripts/ensure-packages.sh qemu-system-x86 (make test does)");
        return path;
    }

    private static string ReadOrEmpty(string path) => File.Exists(path) ? File.ReadAllText(path) : string.Empty;
}
