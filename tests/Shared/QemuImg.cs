using System.Diagnostics;

namespace Emulator.Tests.Shared;

/// <summary>Runs the real qemu-img (installed by make test from scripts/test-packages.txt): the reference for images our code writes.</summary>
internal static class QemuImg
{
    public static (int ExitCode, string Output) Run(params string[] args)
    {
        var start = new ProcessStartInfo("qemu-img") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        using Process p = Process.Start(start) ?? throw new InvalidOperationException("qemu-img did not start");
        Task<string> err = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output + err.Result);
    }

    public static string Ok(params string[] args)
    {
        (int code, string output) = Run(args);
        Assert.True(code == 0, $"qemu-img {string.Join(' ', args)} exited {code}: {output}");
        return output;
    }
}
