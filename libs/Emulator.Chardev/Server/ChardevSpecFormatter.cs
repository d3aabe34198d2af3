using System.Globalization;
using System.Text;

namespace Emulator.Chardev;

/// <summary>
/// Writes a <see cref="ChardevSpec"/> back as a <c>-chardev</c> string that
/// <see cref="ChardevParser.ParseChardev"/> reads to an equal spec (except
/// <see cref="ChardevSpec.MonitorMuxed"/>, which is the CPU process's business). The emulator turns
/// every form the user wrote (<c>-chardev</c>, <c>-serial</c> and <c>-monitor</c> shorthand) into a
/// spec and hands the server this one form. Pure.
/// </summary>
public static class ChardevSpecFormatter
{
    public static string Format(ChardevSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var text = new StringBuilder(spec.Backend.Name);
        Append(text, "id", spec.Id);
        switch (spec.Backend)
        {
            case StdioBackendSpec stdio:
                Append(text, "signal", OnOff(stdio.Signal));
                break;
            case FileBackendSpec file:
                Append(text, "path", file.Path);
                Append(text, "append", OnOff(file.Append));
                break;
            case SocketBackendSpec socket:
                AppendSocket(text, socket);
                break;
            case NullBackendSpec or PtyBackendSpec:
                break;
            default:
                throw new ArgumentException($"cannot format backend '{spec.Backend.Name}'", nameof(spec));
        }

        if (spec.Mux)
        {
            Append(text, "mux", "on");
        }

        if (spec.LogFile is not null)
        {
            Append(text, "logfile", spec.LogFile);
            Append(text, "logappend", OnOff(spec.LogAppend));
        }

        return text.ToString();
    }

    private static void AppendSocket(StringBuilder text, SocketBackendSpec socket)
    {
        switch (socket.Address)
        {
            case UnixSocketAddressSpec unix:
                Append(text, "path", unix.Path);
                break;
            case TcpSocketAddressSpec tcp:
                Append(text, "host", tcp.Host);
                Append(text, "port", tcp.Port.ToString(CultureInfo.InvariantCulture));
                break;
            default:
                throw new ArgumentException($"cannot format socket address {socket.Address}", nameof(socket));
        }

        Append(text, "server", OnOff(socket.Server));
        if (socket.Server)
        {
            Append(text, "wait", OnOff(socket.Wait));
        }

        if (socket.Reconnect is TimeSpan reconnect)
        {
            Append(text, "reconnect-ms", ((long)reconnect.TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
        }

        if (socket.NoDelay)
        {
            Append(text, "nodelay", "on");
        }
    }

    /// <summary>QEMU's grammar escapes a comma inside a value by doubling it.</summary>
    private static void Append(StringBuilder text, string key, string value) =>
        text.Append(',').Append(key).Append('=').Append(value.Replace(",", ",,", StringComparison.Ordinal));

    private static string OnOff(bool value) => value ? "on" : "off";
}
