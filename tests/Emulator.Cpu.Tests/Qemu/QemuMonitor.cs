using System.Diagnostics;

namespace Emulator.Cpu.Tests.Qemu;

/// <summary>
/// A <c>qemu-system-x86_64</c> (TCG, <c>-cpu qemu64</c>) with its human monitor on stdio, driven one
/// command at a time: each answer is what QEMU printed up to its next prompt. Every wait is
/// bounded; disposing kills QEMU if it is still running.
/// </summary>
internal sealed class QemuMonitor : IDisposable
{
    public const string Program = "qemu-system-x86_64";

    private const string Prompt = "(qemu) ";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly Process _process;
    private readonly string _directory;
    private int _prompts;

    private QemuMonitor(Process process, string directory)
    {
        _process = process;
        _directory = directory;
    }

    /// <summary>Starts QEMU with <paramref name="extraArgs"/> after the common ones and waits for the first prompt.</summary>
    public static QemuMonitor Start(params string[] extraArgs)
    {
        string qemu = Find();
        string directory = Directory.CreateTempSubdirectory("emu-qemu-").FullName;
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardInput = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add($"exec \"$0\" \"$@\" >'{directory}/out' 2>'{directory}/err'");
        start.ArgumentList.Add(qemu);
        foreach (string arg in (string[])["-M", "pc", "-cpu", "qemu64", "-accel", "tcg", "-display", "none", "-nodefaults", "-monitor", "stdio", .. extraArgs])
        {
            start.ArgumentList.Add(arg);
        }

        Process process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {qemu}");
        var monitor = new QemuMonitor(process, directory);
        monitor.WaitForPrompt();
        return monitor;
    }

    /// <summary>The directory this session's files live in (removed at dispose).</summary>
    public string WorkDirectory => _directory;

    /// <summary>Runs <paramref name="command"/>; QEMU's answer, without its readline echo, CRs removed.</summary>
    public string Execute(string command)
    {
        int from = Output.Length;
        _process.StandardInput.Write(command + "\n");
        _process.StandardInput.Flush();
        string output = WaitForPrompt();

        // The echo (with cursor escapes) ends the command's line; the answer starts on the next.
        string answer = output[from..output.LastIndexOf(Prompt, StringComparison.Ordinal)];
        return answer[(answer.IndexOf('\n', StringComparison.Ordinal) + 1)..];
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(Patience);
        }

        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private string Output => File.Exists(Path.Combine(_directory, "out"))
        ? File.ReadAllText(Path.Combine(_directory, "out")).Replace("\r", string.Empty, StringComparison.Ordinal)
        : string.Empty;

    private string WaitForPrompt()
    {
        DateTime giveUp = DateTime.UtcNow + Patience;
        while (true)
        {
            string output = Output;
            int count = output.Split(Prompt).Length - 1;
            if (count > _prompts)
            {
                _prompts = count;
                return output;
            }

            Assert.False(_process.HasExited, $"QEMU exited\nstdout:\n{output}\nstderr:\n{(File.Exists(Path.Combine(_directory, "err")) ? File.ReadAllText(Path.Combine(_directory, "err")) : string.Empty)}");
            Assert.True(DateTime.UtcNow < giveUp, $"QEMU gave no prompt\nstdout:\n{output}");
            Thread.Sleep(20);
        }
    }

    private static string Find()
    {
        string? path = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, Program))
            .FirstOrDefault(File.Exists);
        Assert.True(path is not null, $"{Program} is not installed: run scripts/ensure-packages.sh qemu-system-x86 (make test does)");
        return path;
    }
}
