namespace Emulator.DeviceHost;

/// <summary>Exit statuses of every device server (also printed by --help).</summary>
public static class DeviceServerExitCode
{
    /// <summary>Served until the front-end hung up (--fd) or until SIGTERM/SIGINT; --help; --print-capabilities.</summary>
    public const int Success = 0;

    /// <summary>Could not start (bind, bad --fd, parent already gone) or a connection failed fatally.</summary>
    public const int Failure = 1;

    /// <summary>Bad command line: unknown option, missing value, missing or conflicting required option.</summary>
    public const int Usage = 2;
}
