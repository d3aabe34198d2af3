using System.Diagnostics;
using Emulator.Cpu;
using Emulator.Memory;
using Xunit.Abstractions;

namespace Emulator.Platform.Tests;

/// <summary>
/// Runs scripts/guest/build.sh (Debian's kernel and busybox, cached after the first run: ~70 MB
/// downloaded once) and loads what it built with both loaders. The project targets Debian hosts, so a
/// host without apt fails here with a clear message rather than passing without checking anything.
/// </summary>
public sealed class GuestBuildTests(ITestOutputHelper output)
{
    public const string Category = "Guest";
    private const ulong Ram = 256UL << 20;

    [Fact]
    [Trait("Category", Category)]
    public void BuildScriptProducesABootableBzImageVmlinuxAndInitrd()
    {
        Assert.True(OnPath("apt-get") && OnPath("dpkg-deb"), "apt-get and dpkg-deb are needed to build the default guest from Debian's packages");

        Dictionary<string, string> paths = RunBuild();
        Assert.Matches(@"^linux-image-\d+\.\d+\.\d+-\d+-amd64$", paths["KERNEL_PACKAGE"]);
        byte[] bzImage = File.ReadAllBytes(paths["BZIMAGE"]);
        byte[] vmlinux = File.ReadAllBytes(paths["VMLINUX"]);
        byte[] initrd = File.ReadAllBytes(paths["INITRD"]);
        Assert.Equal([0x1F, 0x8B], initrd[..2]);

        LinuxSetupHeader header = LinuxSetupHeader.Parse(bzImage);
        Assert.True(header.Version >= LinuxSetupHeader.MinimumVersion);
        using (GuestMemory memory = GuestMemory.Create(new RamLayout(Ram).Regions.ToArray()))
        {
            LinuxBoot64 boot = BzImageLoader.Load(memory, new RamLayout(Ram), bzImage, "console=ttyS0", initrd, 0xF_0000);
            Assert.Equal(header.PreferredAddress + 0x200, boot.Entry);
            Assert.True(boot.InitrdAddress >= header.PreferredAddress + header.InitSize);
        }

        using (GuestMemory memory = GuestMemory.Create(new RamLayout(Ram).Regions.ToArray()))
        {
            PvhBoot boot = PvhLoader.Load(memory, new RamLayout(Ram), vmlinux, "console=ttyS0", initrd, 0xF_0000);
            var state = default(CpuState);
            boot.ApplyEntryState(ref state);
            Assert.InRange(boot.Entry, 0x100_0000u, 0x400_0000u);
            Assert.Equal(PvhLoader.StartInfoMagic, memory.Read<uint>(state.Register(GeneralRegister.Rbx)));
        }
    }

    private Dictionary<string, string> RunBuild()
    {
        string script = Path.Combine(RepositoryRoot(), "scripts", "guest", "build.sh");
        var start = new ProcessStartInfo(script) { RedirectStandardOutput = true, RedirectStandardError = true };
        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {script}");
        Task<string> error = process.StandardError.ReadToEndAsync();
        string text = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        output.WriteLine(text + error.Result);
        Assert.True(process.ExitCode == 0, $"build.sh failed ({process.ExitCode}): {error.Result}");
        Dictionary<string, string> paths = text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('=', 2))
            .Where(kv => kv.Length == 2)
            .ToDictionary(kv => kv[0], kv => kv[1]);
        foreach (string key in new[] { "BZIMAGE", "VMLINUX", "INITRD" })
        {
            Assert.True(File.Exists(paths[key]), $"{key}={paths[key]} is missing");
        }

        return paths;
    }

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':').Any(dir => dir.Length > 0 && File.Exists(Path.Combine(dir, tool)));

    private static string RepositoryRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "scripts", "guest", "build.sh")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no scripts/guest/build.sh above {AppContext.BaseDirectory}");
    }
}
