namespace Emulator.System.Tests.EndToEnd;

/// <summary>The published binaries under test: <c>bin/emu</c> and <c>bin/emu-chardev</c> of this checkout.</summary>
internal static class RepoLayout
{
    public static string Root { get; } = FindRoot();

    public static string Emu => Path.Combine(Root, "bin", "emu");

    public static string EmuChardev => Path.Combine(Root, "bin", "emu-chardev");

    /// <summary>Fails the test with the fix when the launchers are missing.</summary>
    public static void RequireBuild()
    {
        if (!File.Exists(Emu) || !File.Exists(EmuChardev))
        {
            Assert.Fail($"{Emu} or {EmuChardev} is missing: run make build first");
        }
    }

    private static string FindRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Emulator.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no Emulator.sln above {AppContext.BaseDirectory}");
    }
}
