using System.Diagnostics;
using Emulator.System.Tests.EndToEnd;

namespace Emulator.System.Tests.Guest;

/// <summary>
/// The default guest built by <c>scripts/guest/build.sh</c> (cached outside git; <c>make test</c>
/// builds it first, so here it is a quick cache hit): the PVH vmlinux, the initramfs and the
/// kernel release the script resolved.
/// </summary>
public sealed record GuestImages(string KernelRelease, string Vmlinux, string Initrd)
{
    /// <summary>A first build downloads two Debian packages; a cached one only asks apt which version is current.</summary>
    private static readonly TimeSpan BuildPatience = TimeSpan.FromMinutes(10);

    /// <summary>Runs the guest script and reads its KEY=value lines; fails with the fix when it cannot.</summary>
    public static GuestImages Build()
    {
        string script = Path.Combine(RepoLayout.Root, "scripts", "guest", "build.sh");
        var start = new ProcessStartInfo(script)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {script}");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(BuildPatience))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{script} did not finish in {BuildPatience}");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{script} failed ({process.ExitCode}): run make guest\n{stderr.Result}");
        }

        GuestImages images = Parse(stdout.Result);
        foreach (string file in new[] { images.Vmlinux, images.Initrd })
        {
            if (!File.Exists(file))
            {
                throw new InvalidOperationException($"{file} (from guest/build.sh) does not exist: run make guest");
            }
        }

        return images;
    }

    /// <summary>The images named by the script's output (the last value of a repeated key); an error naming a missing key.</summary>
    public static GuestImages Parse(string scriptOutput)
    {
        Dictionary<string, string> values = new(StringComparer.Ordinal);
        foreach (string line in scriptOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                values[line[..equals]] = line[(equals + 1)..];
            }
        }

        string Get(string key) => values.TryGetValue(key, out string? value) && value.Length > 0
            ? value
            : throw new InvalidOperationException($"guest/build.sh printed no {key}= line:\n{scriptOutput}");

        return new GuestImages(Get("KERNEL_RELEASE"), Get("VMLINUX"), Get("INITRD"));
    }
}
