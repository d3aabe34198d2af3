using System.Globalization;
using System.Text;
using Emulator.Options;

namespace Emulator.Chardev;

/// <summary>
/// The typed reads shared by <c>-chardev</c> and the shorthand forms: QEMU's old boolean spelling
/// (<c>nowait</c> for <c>wait=off</c>), identifiers, ports, paths and the socket option rules.
/// </summary>
internal static class ChardevOptionReader
{
    /// <summary>sockaddr_un.sun_path holds 108 bytes including the terminating NUL.</summary>
    private const int MaxUnixPathBytes = 107;

    /// <summary>
    /// A boolean that may also be spelled as a bare <c>noNAME</c> (QEMU's pre-6.0 form, e.g.
    /// <c>server,nowait</c>). Giving both spellings is an error.
    /// </summary>
    public static bool Flag(KeyValueOptions options, string name, bool defaultValue)
    {
        string negated = "no" + name;
        string? negatedValue = options.Get(negated);
        if (negatedValue is null)
        {
            return options.GetBool(name, defaultValue);
        }

        if (options.Get(name) is not null)
        {
            throw new OptionsException($"Parameter '{name}' given more than once");
        }

        return negatedValue == "on" ? false : throw new OptionsException($"Invalid parameter '{negated}'");
    }

    /// <summary>True if either spelling of the flag was given.</summary>
    public static bool HasFlag(KeyValueOptions options, string name) => options.Has(name) || options.Has("no" + name);

    /// <summary>QEMU's id rule: a letter, then letters, digits, '-', '.', '_'.</summary>
    public static string RequireIdentifier(string id)
    {
        bool ok = id.Length > 0 && char.IsAsciiLetter(id[0]);
        foreach (char c in id)
        {
            ok &= char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_';
        }

        return ok ? id : throw new OptionsException("Parameter 'id' expects an identifier");
    }

    public static string RequirePath(string? path, string whatIsMissing)
    {
        if (string.IsNullOrEmpty(path))
        {
            throw new OptionsException(whatIsMissing);
        }

        return path.Contains('\0', StringComparison.Ordinal) ? throw new OptionsException("Parameter 'path' must not contain a NUL character") : path;
    }

    /// <summary>The options every backend takes: mux, logfile, logappend.</summary>
    public static ChardevSpec ApplyCommon(ChardevSpec spec, KeyValueOptions options)
    {
        bool mux = Flag(options, "mux", false);
        string? logFile = options.Get("logfile");
        if (logFile is not null)
        {
            RequirePath(logFile, "Parameter 'logfile' expects a file name");
        }

        bool logAppend = Flag(options, "logappend", false);
        return spec with { Mux = spec.Mux || mux, LogFile = logFile, LogAppend = logAppend };
    }

    /// <summary>
    /// Reads a socket backend. <paramref name="path"/>, <paramref name="host"/> and <paramref name="port"/>
    /// come from the options (for <c>-chardev</c>) or from the shorthand's own syntax.
    /// </summary>
    public static SocketBackendSpec ReadSocket(KeyValueOptions? options, string? path, string? host, string? port)
    {
        if (path is not null && host is not null)
        {
            throw new OptionsException("Only one of 'path' or 'host' may be given");
        }

        if (host is not null && port is null)
        {
            throw new OptionsException("chardev: socket: no port given");
        }

        bool server = options is not null && Flag(options, "server", false);
        bool waitGiven = options is not null && HasFlag(options, "wait");
        bool wait = options is null || Flag(options, "wait", true);
        TimeSpan? reconnect = options is null ? null : ReadReconnect(options);
        bool noDelay = options is not null && ReadNoDelay(options);

        if (server && reconnect is not null)
        {
            throw new OptionsException("'reconnect' option is incompatible with socket in server listen mode");
        }

        if (!server && waitGiven)
        {
            throw new OptionsException("'wait' option is incompatible with socket in client connect mode");
        }

        SocketAddressSpec address;
        if (path is not null)
        {
            RequirePath(path, "Parameter 'path' expects a socket path");
            if (Encoding.UTF8.GetByteCount(path) > MaxUnixPathBytes)
            {
                throw new OptionsException($"UNIX socket path '{path}' is too long");
            }

            address = new UnixSocketAddressSpec(path);
        }
        else if (host is not null && port is not null)
        {
            int number = ParsePort(port);
            if (number == 0 && !server)
            {
                throw new OptionsException("chardev: socket: port 0 is only valid for a server");
            }

            address = new TcpSocketAddressSpec(host, number);
        }
        else
        {
            throw new OptionsException("chardev: socket: 'path' or 'host' option required");
        }

        return new SocketBackendSpec(address, server, server && wait, reconnect, noDelay);
    }

    public static int ParsePort(string text)
    {
        if (text.Length is > 0 and <= 5
            && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int port)
            && port <= ushort.MaxValue)
        {
            return port;
        }

        throw new OptionsException("Parameter 'port' expects a port number");
    }

    private static TimeSpan? ReadReconnect(KeyValueOptions options)
    {
        bool seconds = options.Has("reconnect");
        bool milliseconds = options.Has("reconnect-ms");
        if (seconds && milliseconds)
        {
            throw new OptionsException("'reconnect' and 'reconnect-ms' are mutually exclusive");
        }

        long ms = seconds ? ReadBounded(options, "reconnect", int.MaxValue / 1000) * 1000 : ReadBounded(options, "reconnect-ms", int.MaxValue);
        return ms == 0 ? null : TimeSpan.FromMilliseconds(ms);
    }

    private static long ReadBounded(KeyValueOptions options, string key, long max)
    {
        long value = options.GetNumber(key, 0);
        return value < 0 || value > max ? throw new OptionsException($"Parameter '{key}' expects a number between 0 and {max}") : value;
    }

    /// <summary>QEMU accepts <c>nodelay[=on|off]</c> and the inverse <c>delay=on|off</c>, not both.</summary>
    private static bool ReadNoDelay(KeyValueOptions options)
    {
        bool hasDelay = options.Has("delay");
        if (hasDelay && options.Has("nodelay"))
        {
            throw new OptionsException("'delay' and 'nodelay' are mutually exclusive");
        }

        return hasDelay ? !options.GetBool("delay", true) : options.GetBool("nodelay", false);
    }
}
