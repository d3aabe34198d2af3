using System.Diagnostics.CodeAnalysis;

namespace Emulator.Vmm;

/// <summary>
/// Finds device-server executables (<c>emu-chardev</c>, ...). <c>EMU_DEVICE_SERVER_DIR</c>, when
/// set, is searched first (an override must win, e.g. to test a freshly built server), then the
/// emulator's own directory, where a published build puts them side by side.
/// </summary>
public sealed class DeviceServerLocator
{
    public const string OverrideVariable = "EMU_DEVICE_SERVER_DIR";

    private const UnixFileMode AnyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    public DeviceServerLocator(string baseDirectory, string? overrideDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(baseDirectory);
        SearchDirectories = string.IsNullOrEmpty(overrideDirectory) ? [baseDirectory] : [overrideDirectory, baseDirectory];
    }

    public IReadOnlyList<string> SearchDirectories { get; }

    public static DeviceServerLocator FromEnvironment() =>
        new(AppContext.BaseDirectory, Environment.GetEnvironmentVariable(OverrideVariable));

    public bool TryFind(string programName, [NotNullWhen(true)] out string? path)
    {
        CheckName(programName);
        foreach (string directory in SearchDirectories)
        {
            string candidate = Path.Combine(directory, programName);
            if (File.Exists(candidate) && IsExecutable(candidate))
            {
                path = Path.GetFullPath(candidate);
                return true;
            }
        }

        path = null;
        return false;
    }

    public string Find(string programName) =>
        TryFind(programName, out string? path)
            ? path
            : throw new DeviceManagerException(
                $"device server '{programName}' not found in {string.Join(", ", SearchDirectories)} (set {OverrideVariable} to its directory)");

    /// <summary>A command for <paramref name="programName"/> with its own arguments.</summary>
    public DeviceServerCommand Command(string programName, params string[] arguments) => new(Find(programName), arguments);

    private static bool IsExecutable(string path) =>
        OperatingSystem.IsWindows() || (File.GetUnixFileMode(path) & AnyExecute) != 0;

    private static void CheckName(string programName)
    {
        ArgumentException.ThrowIfNullOrEmpty(programName);
        if (programName.Contains('/', StringComparison.Ordinal) || programName is "." or "..")
        {
            throw new ArgumentException($"'{programName}' is a path, not a program name", nameof(programName));
        }
    }
}
