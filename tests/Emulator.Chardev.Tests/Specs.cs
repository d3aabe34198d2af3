using System.Net;
using System.Net.Sockets;

namespace Emulator.Chardev.Tests;

/// <summary>Small conveniences so tests read like command lines.</summary>
internal static class Specs
{
    /// <summary>A <c>-serial</c> shorthand that must name a device (not "none").</summary>
    public static ChardevSpec Shorthand(string text, string id = "serial0") =>
        ChardevParser.ParseShorthand(text, id) ?? throw new InvalidOperationException($"'{text}' names no device");

    public static int PortOf(Socket socket) =>
        socket.LocalEndPoint is IPEndPoint ip ? ip.Port : throw new InvalidOperationException("not an IP socket");
}
