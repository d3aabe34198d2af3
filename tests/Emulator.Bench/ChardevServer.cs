using System.Diagnostics;
using System.Globalization;

namespace Emulator.Bench;

/// <summary>
/// Finds the repository's <c>bin/emu-chardev</c> launcher and asks it (<c>--print-capabilities</c>)
/// whether it serves a virtio-console, so the bench can measure the same kick round trip against it.
/// </summary>
public static class ChardevServer
{
    public const string LauncherName = "emu-chardev";
    private const int CapabilitiesTimeoutMs = 20_000;

    /// <summary>The launcher in the first ancestor folder of this assembly holding <c>bin/emu-chardev</c> next to a Makefile.</summary>
    public static string? FindLauncher()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string launcher = Path.Combine(dir.FullName, "bin", LauncherName);
            if (File.Exists(launcher) && File.Exists(Path.Combine(dir.FullName, "Makefile")))
            {
                return launcher;
            }
        }

        return null;
    }

    /// <summary>The launcher's capabilities JSON, or null (with the reason) if it gave none.</summary>
    public static string? ReadCapabilities(string launcher, out string reason)
    {
        var info = new ProcessStartInfo(launcher) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("--print-capabilities");
        using Process process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {launcher}");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(CapabilitiesTimeoutMs))
        {
            process.Kill();
            process.WaitForExit();
            reason = $"`{LauncherName} --print-capabilities` did not finish within {CapabilitiesTimeoutMs} ms";
            return null;
        }

        string text = stdout.Result.Trim();
        if (process.ExitCode != 0 || text.Length == 0)
        {
            string detail = stderr.Result.Trim();
            reason = $"`{LauncherName} --print-capabilities` exited {process.ExitCode} with no capabilities" + (detail.Length > 0 ? $": {detail}" : "");
            return null;
        }

        reason = "";
        return text;
    }

    /// <summary>
    /// Starts the launcher on an inherited socket with a null chardev behind its console (what the guest
    /// transmits is discarded), told to die with this process.
    /// </summary>
    public static DeviceServer Start(string launcher) =>
        DeviceServer.Start($"{LauncherName} (virtio-console, null chardev)", launcher,
            ["--chardev", "null,id=bench", "--parent-pid", Environment.ProcessId.ToString(CultureInfo.InvariantCulture)]);
}
