using System.Diagnostics;
using Emulator.System.Tests.EndToEnd;

namespace Emulator.System.Tests.Differential;

/// <summary>
/// Runs one guest image under QEMU (TCG, qemu64) and under <c>bin/emu</c> with the same devices
/// and compares the debug console byte for byte and the isa-debug-exit status; a difference
/// fails with the first differing line from both sides.
/// </summary>
internal static class KernelDifferential
{
    private static readonly string[] Qemu = ["-M", "pc", "-cpu", "qemu64", "-accel", "tcg", "-display", "none", "-nodefaults", "-no-reboot", "-m", "64"];

    private static readonly string[] Emu = ["-display", "none", "-no-reboot", "-m", "64"];

    /// <summary>Runs <paramref name="image"/> as a multiboot kernel (<c>-kernel</c>) or firmware (<c>-bios</c>); QEMU's output, once both agree.</summary>
    public static string AssertSameAsQemu(byte[] image, int expectedStatus, bool bios = false)
    {
        RepoLayout.RequireBuild();
        string qemu = GuestRun.FindQemu();
        using var scratch = new ScratchDirectory();
        string file = scratch.File(bios ? "firmware.bin" : "kernel.elf");
        File.WriteAllBytes(file, image);
        string option = bios ? "-bios" : "-kernel";
        if (Environment.GetEnvironmentVariable("EMU_KEEP_KERNEL") is { Length: > 0 } keep)
        {
            File.Copy(file, keep, overwrite: true);
        }

        (int qemuStatus, string theirs, string qemuStderr) = Run(scratch, qemu, Qemu, option, file);
        (int emuStatus, string ours, string emuStderr) = Run(scratch, RepoLayout.Emu, Emu, option, file);
        Assert.True(qemuStatus == expectedStatus, $"QEMU exited {qemuStatus}, expected {expectedStatus}: {qemuStderr}\nQEMU's output:\n{theirs}");
        string? diff = FirstDifference(theirs, ours);
        Assert.True(diff is null, $"{diff}\nemu exited {emuStatus}\n{Tail(emuStderr)}\n--- QEMU's output ---\n{theirs}\n--- emu's output ---\n{ours}");
        Assert.True(emuStatus == qemuStatus, $"emu exited {emuStatus}, QEMU {qemuStatus}\n{Tail(emuStderr)}");
        return theirs;
    }

    /// <summary>"line N differs" with both lines, or null when the texts are equal.</summary>
    public static string? FirstDifference(string expected, string actual)
    {
        if (expected == actual)
        {
            return null;
        }

        string[] want = expected.Split('\n');
        string[] got = actual.Split('\n');
        for (int i = 0; i < Math.Max(want.Length, got.Length); i++)
        {
            string w = i < want.Length ? want[i] : "(no line)";
            string g = i < got.Length ? got[i] : "(no line)";
            if (w != g)
            {
                return $"line {i + 1} differs\nQEMU: {w}\nemu:  {g}";
            }
        }

        return "the outputs differ in line endings only";
    }

    /// <summary>
    /// Like <see cref="GuestRun.Run"/>, but a guest that does not exit is killed and reported with
    /// status -1 and what it printed so far, so the comparison shows where it got stuck.
    /// </summary>
    private static (int Status, string Debugcon, string Stderr) Run(ScratchDirectory scratch, string program, string[] prefix, params string[] args)
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
        int status = -1;
        if (process.WaitForExit(GuestPatience))
        {
            status = process.ExitCode;
        }
        else
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(Patience.Wait);
        }

        return (status, Read(debugcon), Path.GetFileName(program) + (status < 0 ? " did not exit (killed)\n" : "\n") + Read(stderr));
    }

    private static readonly TimeSpan GuestPatience = TimeSpan.FromSeconds(10);

    private static string Read(string path) => File.Exists(path) ? File.ReadAllText(path) : string.Empty;

    private static string Tail(string text) => text.Length <= 4000 ? text : text[^4000..];
}
