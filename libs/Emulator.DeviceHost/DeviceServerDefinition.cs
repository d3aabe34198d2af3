using System.Collections.Frozen;

namespace Emulator.DeviceHost;

/// <summary>
/// What a device server declares about itself: its program name (for messages), the capability
/// type and features printed by --print-capabilities, and its own options.
/// </summary>
public sealed class DeviceServerDefinition
{
    /// <summary>The option names every server already has.</summary>
    public static readonly FrozenSet<string> CommonOptionNames =
        FrozenSet.Create(StringComparer.Ordinal, "socket-path", "fd", "parent-pid", "print-capabilities", "help");

    public DeviceServerDefinition(
        string programName,
        string type,
        IEnumerable<string>? features = null,
        IEnumerable<ServerOption>? options = null,
        string? description = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(programName);
        ArgumentException.ThrowIfNullOrWhiteSpace(type);
        ProgramName = programName;
        Type = type;
        Features = features?.ToArray() ?? [];
        Options = options?.ToArray() ?? [];
        Description = description;

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (ServerOption option in Options)
        {
            if (!IsValidName(option.Name))
            {
                throw new ArgumentException($"option name '{option.Name}' must be lower-case letters, digits and '-'", nameof(options));
            }

            if (CommonOptionNames.Contains(option.Name) || !seen.Add(option.Name))
            {
                throw new ArgumentException($"option '--{option.Name}' is declared twice", nameof(options));
            }
        }
    }

    public string ProgramName { get; }

    /// <summary>The capability type, e.g. "chardev" (vhost-user back-ends print e.g. "fs", "gpu").</summary>
    public string Type { get; }

    public IReadOnlyList<string> Features { get; }

    public IReadOnlyList<ServerOption> Options { get; }

    /// <summary>One sentence for --help.</summary>
    public string? Description { get; }

    public ServerOption? FindOption(string name)
    {
        foreach (ServerOption option in Options)
        {
            if (option.Name == name)
            {
                return option;
            }
        }

        return null;
    }

    private static bool IsValidName(string name) =>
        name.Length > 0 && name[0] != '-' && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-');
}
