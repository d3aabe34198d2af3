using System.ComponentModel;
using System.Diagnostics;

namespace Emulator.Bench;

/// <summary>
/// One boot of the bench guest under one emulator: starts it with the console on a pipe, reads the
/// console line by line, stamps each marker with host wall time and the process tree's CPU time, and
/// kills the tree (only the processes it started) at the time limit. The full console goes to a log file.
/// </summary>
public static class GuestBoot
{
    private const int ErrorLinesKept = 5;

    /// <summary>Boots once; <paramref name="progress"/> sees each marker as it arrives (a boot under an interpreter takes many minutes).</summary>
    public static BootResult Run(string program, IReadOnlyList<string> arguments, TimeSpan timeout, string consoleLog, Action<ConsoleEvent, double> progress)
    {
        var info = new ProcessStartInfo(program)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var recorder = new BootRecorder();
        var errors = new Queue<string>();
        long start = Stopwatch.GetTimestamp();
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException($"{program} did not start");
        }
        catch (Win32Exception e)
        {
            return new BootResult { Problem = $"cannot start {program}: {e.Message}" };
        }

        using (process)
        {
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is { Length: > 0 } line)
                {
                    lock (errors)
                    {
                        errors.Enqueue(line.Length > 300 ? line[..300] : line);
                        if (errors.Count > ErrorLinesKept)
                        {
                            errors.Dequeue();
                        }
                    }
                }
            };
            process.BeginErrorReadLine();

            bool killed = false;
            using var limit = new CancellationTokenSource(timeout);
            using CancellationTokenRegistration kill = limit.Token.Register(() =>
            {
                killed = true;
                KillTree(process);
            });

            // Stdin stays open (and silent) for the whole run: an EOF on the console could end a -nographic emulator.
            // Flushed per line so the log shows how far a long boot got.
            using (var log = new StreamWriter(consoleLog) { AutoFlush = true })
            {
                while (process.StandardOutput.ReadLine() is { } line)
                {
                    log.WriteLine(line);
                    if (GuestTimings.Parse(line) is { } marker)
                    {
                        double wall = Stopwatch.GetElapsedTime(start).TotalSeconds;
                        recorder.Observe(marker, wall, ProcessTreeCpu.Seconds(process.Id));
                        progress(marker, wall);
                    }
                }
            }

            process.WaitForExit();
            kill.Unregister();
            string stderr;
            lock (errors)
            {
                stderr = string.Join(" | ", errors);
            }

            return recorder.Finish(killed ? null : process.ExitCode, stderr);
        }
    }

    private static void KillTree(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited on its own meanwhile: nothing to kill.
        }
    }
}
