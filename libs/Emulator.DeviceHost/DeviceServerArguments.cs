namespace Emulator.DeviceHost;

/// <summary>A parsed, validated device-server command line.</summary>
public sealed class DeviceServerArguments
{
    private readonly IReadOnlyDictionary<string, string> _values;
    private readonly IReadOnlySet<string> _flags;

    internal DeviceServerArguments(
        bool help,
        bool printCapabilities,
        string? socketPath,
        int? fd,
        int? parentPid,
        IReadOnlyDictionary<string, string> values,
        IReadOnlySet<string> flags)
    {
        Help = help;
        PrintCapabilities = printCapabilities;
        SocketPath = socketPath;
        Fd = fd;
        ParentPid = parentPid;
        _values = values;
        _flags = flags;
    }

    public bool Help { get; }

    public bool PrintCapabilities { get; }

    /// <summary>--socket-path: listen here and serve one front-end at a time.</summary>
    public string? SocketPath { get; }

    /// <summary>--fd: an already connected socket; the server exits when it hangs up.</summary>
    public int? Fd { get; }

    /// <summary>--parent-pid: the emulator that started us; we die with it.</summary>
    public int? ParentPid { get; }

    /// <summary>The value of a server-specific option, or null if it was not given.</summary>
    public string? Get(string name) => _values.TryGetValue(name, out string? value) ? value : null;

    /// <summary>The value of a server-specific option the definition marks as required.</summary>
    public string GetRequired(string name) =>
        Get(name) ?? throw new DeviceServerUsageException($"option '--{name}' is required");

    /// <summary>True if a server-specific flag or option was given.</summary>
    public bool Has(string name) => _flags.Contains(name) || _values.ContainsKey(name);
}
