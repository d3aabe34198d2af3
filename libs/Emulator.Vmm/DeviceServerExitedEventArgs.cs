namespace Emulator.Vmm;

/// <summary>A device server went away: its process exited, or a server we connected to hung up.</summary>
public sealed class DeviceServerExitedEventArgs : EventArgs
{
    public DeviceServerExitedEventArgs(DeviceConnection connection, bool expected)
    {
        Connection = connection;
        Expected = expected;
    }

    public DeviceConnection Connection { get; }

    public string Id => Connection.Id;

    public int? ProcessId => Connection.ProcessId;

    /// <summary>The exit status (128 + n for death by signal n); null for a server we only connected to.</summary>
    public int? ExitStatus => Connection.ExitStatus;

    /// <summary>True when the manager was stopping it; false when it died on its own.</summary>
    public bool Expected { get; }
}
