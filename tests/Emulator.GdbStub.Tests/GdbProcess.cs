using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Emulator.GdbStub.Tests;

/// <summary>Runs the real gdb in batch mode with a wall-clock limit, so a broken stub fails the test instead of hanging it.</summary>
internal static class GdbProcess
{
    public const string Path = "/usr/bin/gdb";

    public static string Run(int port, IEnumerable<string> commands, TimeSpan limit)
    {
        Assert.True(File.Exists(Path), $"{Path} is missing: install gdb (make test installs it) to run the gdb stub tests");
        var info = new ProcessStartInfo(Path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in (string[])["-batch", "-nx", "-ex", "set architecture i386:x86-64", "-ex", "set remotetimeout 10",
                     "-ex", string.Create(CultureInfo.InvariantCulture, $"target remote 127.0.0.1:{port}")])
        {
            info.ArgumentList.Add(argument);
        }

        foreach (string command in commands)
        {
            info.ArgumentList.Add("-ex");
            info.ArgumentList.Add(command);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("gdb did not start");
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            Assert.Fail($"gdb did not finish within {limit}:\n{Text(output)}");
        }

        process.WaitForExit();
        return Text(output);
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static string Text(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
