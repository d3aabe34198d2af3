using System.ComponentModel;
using System.Diagnostics;

namespace Emulator.Bench;

/// <summary>
/// Times <c>qemu-system-x86_64 -accel tcg</c> running a <see cref="LoopBios"/> image to its
/// isa-debug-exit; the rate comes from the difference between N and 2N iterations, which cancels
/// QEMU's start-up and the mode switches.
/// </summary>
internal static class QemuLoopRunner
{
    public const string Program = "qemu-system-x86_64";

    // GNU time reports the child's CPU time, comparable with the interpreter's (see InterpreterLoopRunner).
    private const string TimeProgram = "/usr/bin/time";

    public static bool IsAvailable()
    {
        try
        {
            using Process? p = Process.Start(new ProcessStartInfo(Program, "--version") { RedirectStandardOutput = true, RedirectStandardError = true });
            if (p is null)
            {
                return false;
            }

            p.WaitForExit();
            return p.ExitCode == 0;
        }
        catch (Win32Exception)
        {
            return false;
        }
    }

    /// <summary>CPU seconds (user + system; wall-clock seconds without GNU time) of one QEMU run of <paramref name="loop"/> with <paramref name="iterations"/>.</summary>
    public static double Time(GuestLoop loop, uint iterations, string directory)
    {
        string image = Path.Combine(directory, $"loop-{iterations}.bin");
        File.WriteAllBytes(image, LoopBios.Build(loop, iterations));
        bool timed = File.Exists(TimeProgram);
        var info = new ProcessStartInfo(timed ? TimeProgram : Program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (timed)
        {
            info.ArgumentList.Add("-f");
            info.ArgumentList.Add("cpu %U %S");
            info.ArgumentList.Add(Program);
        }

        foreach (string arg in new[]
        {
            "-accel", "tcg", "-display", "none", "-nodefaults", "-no-user-config", "-m", "16",
            "-bios", image, "-device", $"isa-debug-exit,iobase=0x{LoopBios.DebugExitPort:x},iosize=0x04",
        })
        {
            info.ArgumentList.Add(arg);
        }

        long start = Stopwatch.GetTimestamp();
        using Process process = Process.Start(info) ?? throw new InvalidOperationException($"{Program} did not start");
        string errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;

        // isa-debug-exit with 0 written: status (0 << 1) | 1.
        if (process.ExitCode != 1)
        {
            throw new InvalidOperationException($"{Program} exited with {process.ExitCode}, not through isa-debug-exit: {errors}");
        }

        if (timed)
        {
            string[] last = errors.TrimEnd().Split('\n')[^1].Split(' ');
            if (last is ["cpu", string user, string system])
            {
                return double.Parse(user, System.Globalization.CultureInfo.InvariantCulture) + double.Parse(system, System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return seconds;
    }
}
