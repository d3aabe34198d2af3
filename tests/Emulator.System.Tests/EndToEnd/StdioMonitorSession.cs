using System.Diagnostics;
using Emulator.Posix;

namespace Emulator.System.Tests.EndToEnd;

/// <summary>
/// An emulator (ours or QEMU) with <c>-monitor stdio</c>, driven one command at a time: a command
/// is typed only once the previous prompt has appeared, and its answer is everything printed up to
/// the next prompt. (Typing <c>quit</c> before reading an answer could lose it: emu stops its
/// chardev server as it quits.) Bounded: each wait is <see cref="Patience.Wait"/>; disposing kills
/// whatever is left, children included.
/// </summary>
internal sealed class StdioMonitorSession : IDisposable
{
    private const string Prompt = "(qemu) ";

    private readonly Process _process;
    private readonly string _outputPath;
    private readonly string _errorPath;
    private readonly string _program;
    private int _promptsSeen;

    private StdioMonitorSession(Process process, string program, string outputPath, string errorPath)
    {
        _process = process;
        _program = program;
        _outputPath = outputPath;
        _errorPath = errorPath;
    }

    /// <summary>Starts <paramref name="program"/> and waits for its first prompt.</summary>
    public static StdioMonitorSession Start(ScratchDirectory scratch, string program, IEnumerable<string> args)
    {
        string name = $"{Path.GetFileName(program)}-{Guid.NewGuid():N}";
        string output = scratch.File(name + ".out");
        string errors = scratch.File(name + ".err");
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardInput = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(Shell.ExecScript(null, output, errors));
        start.ArgumentList.Add(program);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        Process process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        var session = new StdioMonitorSession(process, program, output, errors);
        session.WaitForPrompt(1);
        return session;
    }

    /// <summary>Types <paramref name="command"/>; returns the transcript from its line to the next prompt (CRs removed).</summary>
    public string Execute(string command)
    {
        int from = Output.Length;
        _process.StandardInput.Write(command + "\n");
        _process.StandardInput.Flush();
        string output = WaitForPrompt(_promptsSeen + 1);
        return output[from..output.LastIndexOf(Prompt, StringComparison.Ordinal)];
    }

    /// <summary>Types <c>quit</c> and waits for a clean exit.</summary>
    public void Quit()
    {
        _process.StandardInput.Write("quit\n");
        _process.StandardInput.Flush();
        Assert.True(_process.WaitForExit(Patience.Wait), $"{_program} did not quit\n{Diagnostics()}");
        Assert.True(_process.ExitCode == 0, $"{_program} exited with {_process.ExitCode}\n{Diagnostics()}");
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            foreach (int child in ProcessTree.ChildrenOf(_process.Id))
            {
                ProcessControl.Kill(child, Signals.SIGKILL);
            }

            _process.Kill();
            _process.WaitForExit(Patience.Wait);
        }

        _process.Dispose();
    }

    private string Output => File.Exists(_outputPath) ? File.ReadAllText(_outputPath).Replace("\r", string.Empty, StringComparison.Ordinal) : string.Empty;

    private string WaitForPrompt(int count)
    {
        DateTime giveUp = DateTime.UtcNow + Patience.Wait;
        while (true)
        {
            string output = Output;
            if (CountPrompts(output) >= count)
            {
                _promptsSeen = count;
                return output;
            }

            Assert.False(_process.HasExited, $"{_program} exited early\n{Diagnostics()}");
            Assert.True(DateTime.UtcNow < giveUp, $"{_program} never showed prompt {count}\n{Diagnostics()}");
            Thread.Sleep(20);
        }
    }

    private static int CountPrompts(string output)
    {
        int count = 0;
        for (int at = output.IndexOf(Prompt, StringComparison.Ordinal); at >= 0; at = output.IndexOf(Prompt, at + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private string Diagnostics() => $"stdout:\n{Output}\nstderr:\n{(File.Exists(_errorPath) ? File.ReadAllText(_errorPath) : string.Empty)}";
}
