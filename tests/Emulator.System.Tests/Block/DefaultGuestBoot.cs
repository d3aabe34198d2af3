using System.Diagnostics;
using System.Text;
using Emulator.System.Tests.EndToEnd;

namespace Emulator.System.Tests.Block;

/// <summary>
/// Boots the default guest (scripts/guest/build.sh: Debian's kernel, busybox) under <c>bin/emu</c> with
/// extra options, runs a shell script in it (<c>emu.run64</c>) and returns the serial console's output
/// and emu's exit status. Bounded: a boot that does not end is killed and fails the test.
/// </summary>
internal static class DefaultGuestBoot
{
    /// <summary>Generous: a boot takes 1-2 minutes on two busy cores; this only guards against a hang.</summary>
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(10);

    public static (int Status, string Console, string Stderr) Run(ScratchDirectory scratch, string script, params string[] options)
    {
        RepoLayout.RequireBuild();
        (string kernel, string initrd) = Images();
        string console = scratch.File($"console-{Guid.NewGuid():N}.txt");
        string stderr = scratch.File($"stderr-{Guid.NewGuid():N}.txt");
        string run64 = Convert.ToBase64String(Encoding.UTF8.GetBytes(script));
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add($"exec \"$@\" </dev/null >{Shell.Quote(console)} 2>{Shell.Quote(stderr)}");
        start.ArgumentList.Add("sh");
        foreach (string arg in (string[])[RepoLayout.Emu, "-m", "512", "-kernel", kernel, "-initrd", initrd,
            "-append", $"console=ttyS0 quiet emu.run64={run64}", "-nographic", "-no-reboot", .. options])
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException("could not start bin/emu");
        if (!process.WaitForExit(Limit))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            Assert.Fail($"the guest did not power off within {Limit}\n{ReadOrEmpty(console)}\n{ReadOrEmpty(stderr)}");
        }

        return (process.ExitCode, ReadOrEmpty(console), ReadOrEmpty(stderr));
    }

    /// <summary>The value printed after <paramref name="tag"/> on a line of the guest's output, or null.</summary>
    public static string? Field(string console, string tag) =>
        console.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.StartsWith(tag + " ", StringComparison.Ordinal))
            .Select(l => l[(tag.Length + 1)..].Split(' ')[0]).FirstOrDefault();

    /// <summary>Runs a host tool to its end; fails the test with its output when it fails.</summary>
    public static string Tool(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(Patience.Wait), $"{program} did not end");
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', args)} failed ({process.ExitCode}): {error.Result}");
        return output;
    }

    /// <summary>The guest's kernel and initramfs (built once, then cached by the script).</summary>
    private static (string Kernel, string Initrd) Images()
    {
        string script = Path.Combine(RepoLayout.Root, "scripts", "guest", "build.sh");
        var start = new ProcessStartInfo(script) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {script}");
        Task<string> error = process.StandardError.ReadToEndAsync();
        string text = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(10)), "scripts/guest/build.sh did not end");
        Assert.True(process.ExitCode == 0, $"scripts/guest/build.sh failed ({process.ExitCode}): {error.Result}");
        string Value(string key) => text.Split('\n').FirstOrDefault(l => l.StartsWith(key + "=", StringComparison.Ordinal))?[(key.Length + 1)..].Trim()
            ?? throw new InvalidOperationException($"scripts/guest/build.sh printed no {key}=");
        return (Value("VMLINUX"), Value("INITRD"));
    }

    private static string ReadOrEmpty(string path) => File.Exists(path) ? File.ReadAllText(path) : string.Empty;
}
