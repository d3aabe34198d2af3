using System.Globalization;
using System.Net;

namespace Emulator.GdbStub;

/// <summary>
/// Where the stub listens, from QEMU's <c>-gdb</c> device string: <c>tcp::PORT</c> (all interfaces),
/// <c>tcp:HOST:PORT</c>, or a bare <c>PORT</c>; <c>-s</c> is <see cref="Default"/>. Port 0 picks a free one.
/// </summary>
public sealed record GdbEndpoint(string? Host, int Port)
{
    public static GdbEndpoint Default { get; } = new(null, 1234);

    public static bool TryParse(string text, out GdbEndpoint endpoint, out string error)
    {
        ArgumentNullException.ThrowIfNull(text);
        endpoint = Default;
        bool tcp = text.StartsWith("tcp:", StringComparison.Ordinal);
        string rest = tcp ? text[4..] : text;
        int colon = rest.LastIndexOf(':');
        string host = colon < 0 ? string.Empty : rest[..colon];
        string port = colon < 0 ? rest : rest[(colon + 1)..];
        if (tcp == (colon < 0))
        {
            error = $"gdb device '{text}': expected tcp:[HOST]:PORT or PORT";
            return false;
        }

        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out int number) || number > 65535)
        {
            error = $"gdb device '{text}': '{port}' is not a TCP port";
            return false;
        }

        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }

        endpoint = new GdbEndpoint(host.Length == 0 ? null : host, number);
        error = string.Empty;
        return true;
    }

    /// <summary>The address to bind: any interface without a host (as QEMU), else the host's first address.</summary>
    public IPEndPoint Resolve()
    {
        if (Host is null)
        {
            return new IPEndPoint(IPAddress.Any, Port);
        }

        if (IPAddress.TryParse(Host, out IPAddress? address))
        {
            return new IPEndPoint(address, Port);
        }

        return new IPEndPoint(Dns.GetHostAddresses(Host)[0], Port);
    }
}
