using Emulator.Vmm;

namespace Emulator.System.Tests;

/// <summary>Where the test assembly's own executable is, for tests that run it as a child process.</summary>
public static class TestPaths
{
    public static string SelfExecutable { get; } = Path.Combine(AppContext.BaseDirectory, "Emulator.System.Tests");

    public static DeviceServerCommand EchoServerCommand(params string[] extra) =>
        new(SelfExecutable, ["echo-server", .. extra]);

    /// <summary>A fresh socket path short enough for sun_path.</summary>
    public static string TempSocketPath() =>
        Path.Combine(Path.GetTempPath(), $"emu-sys-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40] + ".sock");
}
