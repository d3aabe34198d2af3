namespace Emulator.System.Tests.EndToEnd;

/// <summary>
/// <c>info registers</c> of a freshly reset machine, from QEMU 7.2 itself and from <c>bin/emu</c>:
/// the two must agree line for line. Both start paused (<c>-S</c>), so no firmware has run and
/// every field is the CPU's RESET value; that is why nothing needs to be excluded from the
/// comparison (a running machine would differ in what its firmware did, not in the format).
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class QemuRegisterDumpDifferentialTests
{
    private const string Qemu = "qemu-system-x86_64";

    [Fact(Timeout = Patience.TestMs)]
    public async Task ResetStateMatchesQemuLineForLine()
    {
        await Task.Yield();
        RepoLayout.RequireBuild();
        string qemu = FindQemu();
        using var scratch = new ScratchDirectory();

        string theirs = InfoRegisters(
            scratch, qemu, ["-M", "pc", "-cpu", "qemu64", "-accel", "tcg", "-S", "-display", "none", "-nodefaults", "-monitor", "stdio"]);
        string ours = InfoRegisters(scratch, RepoLayout.Emu, ["-S", "-display", "none", "-monitor", "stdio"]);

        string[] expected = RegisterBlock(theirs, "QEMU");
        string[] actual = RegisterBlock(ours, "emu");
        Assert.True(expected.Length > 20, $"QEMU printed too little:\n{theirs}");
        for (int i = 0; i < Math.Max(expected.Length, actual.Length); i++)
        {
            string want = i < expected.Length ? expected[i] : "(no line)";
            string got = i < actual.Length ? actual[i] : "(no line)";
            Assert.True(want == got, $"line {i + 1} differs\nQEMU: {want}\nemu:  {got}\n\nQEMU's dump:\n{string.Join('\n', expected)}");
        }
    }

    private static string InfoRegisters(ScratchDirectory scratch, string program, string[] args)
    {
        using var session = StdioMonitorSession.Start(scratch, program, args);
        string transcript = session.Execute("info registers");
        session.Quit();
        return transcript;
    }

    /// <summary>
    /// From the blank line before <c>CPU#0</c> (QEMU's hmp_info_registers prints "\nCPU#%d\n") to the
    /// end of the answer; QEMU's readline echo, with its cursor escapes, is on the command's line before.
    /// </summary>
    private static string[] RegisterBlock(string transcript, string who)
    {
        string[] lines = transcript.Split('\n');
        int header = Array.IndexOf(lines, "CPU#0");
        Assert.True(header > 0, $"{who} printed no CPU#0 header:\n{transcript}");
        Assert.True(lines[^1].Length == 0, $"{who}'s registers do not end with a newline:\n{transcript}");
        return lines[(header - 1)..^1];
    }

    private static string FindQemu()
    {
        string? path = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, Qemu))
            .FirstOrDefault(File.Exists);
        Assert.True(path is not null, $"{Qemu} is not installed: run scripts/ensure-packages.sh qemu-system-x86 (make test does)");
        return path;
    }
}
