using Emulator.Options;

namespace Emulator.Chardev;

/// <summary>
/// Parses QEMU's <c>-chardev</c> strings and the <c>-serial</c>/<c>-monitor</c> shorthand into a
/// <see cref="ChardevSpec"/>. Pure: no file or socket is touched. Every rejection is an
/// <see cref="OptionsException"/> whose message is shown to the user as is.
/// </summary>
public static class ChardevParser
{
    /// <summary>What <c>-chardev help</c> prints, in QEMU's format.</summary>
    public const string BackendHelpText = "Available chardev backend types: \n  file\n  null\n  pty\n  socket\n  stdio";

    private const int MaxTcpHostLength = 64;

    /// <summary>True for <c>-chardev help</c> (or <c>?</c>): print <see cref="BackendHelpText"/> and exit.</summary>
    public static bool IsHelpRequest(string text) => text is "help" or "?" || text.StartsWith("help,", StringComparison.Ordinal);

    /// <summary>Parses a <c>-chardev BACKEND,id=ID[,...]</c> string.</summary>
    public static ChardevSpec ParseChardev(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        KeyValueOptions options = KeyValueOptions.Parse(text, "backend");
        if (options.IsHelp("backend"))
        {
            throw new OptionsException(BackendHelpText);
        }

        string id = ChardevOptionReader.RequireIdentifier(options.Get("id") ?? throw new OptionsException("chardev: no id specified"));
        string backend = options.Get("backend") ?? throw new OptionsException($"chardev: \"{id}\" missing backend");
        ChardevBackendSpec spec = backend switch
        {
            "null" => new NullBackendSpec(),
            "pty" => new PtyBackendSpec(),
            "stdio" => new StdioBackendSpec(ChardevOptionReader.Flag(options, "signal", true)),
            "file" => new FileBackendSpec(
                ChardevOptionReader.RequirePath(options.Get("path"), "chardev: file: no filename given"),
                ChardevOptionReader.Flag(options, "append", false)),
            "socket" => ChardevOptionReader.ReadSocket(options, options.Get("path"), options.Get("host"), options.Get("port")),
            _ => throw new OptionsException($"'{backend}' is not a valid char driver name"),
        };

        ChardevSpec result = ChardevOptionReader.ApplyCommon(new ChardevSpec(id, spec), options);
        options.ThrowOnUnused();
        return result;
    }

    /// <summary>
    /// Parses the <c>-serial</c>/<c>-monitor</c> shorthand (<c>stdio</c>, <c>mon:stdio</c>, <c>file:PATH</c>,
    /// <c>unix:PATH[,server=on,wait=off]</c>, <c>tcp:[HOST]:PORT[,...]</c>, <c>pty</c>, <c>null</c>) into a
    /// chardev named <paramref name="id"/>. Returns null for <c>none</c> (no device at all).
    /// <c>mon:</c> muxes the HMP monitor onto the same backend; on stdio it also sets signal=off,
    /// so Ctrl-C reaches the guest.
    /// </summary>
    public static ChardevSpec? ParseShorthand(string text, string id, bool permitMonitorMux = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        ChardevOptionReader.RequireIdentifier(id);
        if (text == "none")
        {
            return null;
        }

        bool monitor = text.StartsWith("mon:", StringComparison.Ordinal);
        if (monitor)
        {
            if (!permitMonitorMux)
            {
                throw new OptionsException("mon: isn't supported in this context");
            }

            text = text[4..];
        }

        ChardevSpec spec = ParseShorthandBackend(text, id, monitor);
        return monitor ? spec with { Mux = true, MonitorMuxed = true } : spec;
    }

    private static ChardevSpec ParseShorthandBackend(string text, string id, bool monitor)
    {
        switch (text)
        {
            case "null":
                return new ChardevSpec(id, new NullBackendSpec());
            case "pty":
                return new ChardevSpec(id, new PtyBackendSpec());
            case "stdio":
                // -serial mon:stdio used to be -nographic's choice: Ctrl-C goes to the guest, not to us.
                return new ChardevSpec(id, new StdioBackendSpec(Signal: !monitor));
        }

        if (text.StartsWith("file:", StringComparison.Ordinal))
        {
            return new ChardevSpec(id, new FileBackendSpec(ChardevOptionReader.RequirePath(text[5..], "chardev: file: no filename given")));
        }

        if (text.StartsWith("unix:", StringComparison.Ordinal))
        {
            KeyValueOptions options = KeyValueOptions.Parse(text[5..], "path");
            return WithOptions(new ChardevSpec(id, ChardevOptionReader.ReadSocket(options, options.Get("path"), null, null)), options);
        }

        if (text.StartsWith("tcp:", StringComparison.Ordinal))
        {
            return ParseTcp(text, id);
        }

        throw new OptionsException($"'{text}' is not a valid char driver");
    }

    /// <summary><c>tcp:[HOST]:PORT[,options]</c>; the host stops at the first ':' (no IPv6 literals here).</summary>
    private static ChardevSpec ParseTcp(string text, string id)
    {
        string rest = text[4..];
        int colon = rest.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0 || colon > MaxTcpHostLength)
        {
            throw new OptionsException($"could not connect serial device to character backend '{text}'");
        }

        string host = rest[..colon];
        string after = rest[(colon + 1)..];
        int comma = after.IndexOf(',', StringComparison.Ordinal);
        string port = comma < 0 ? after : after[..comma];
        if (port.Length == 0)
        {
            throw new OptionsException($"could not connect serial device to character backend '{text}'");
        }

        KeyValueOptions? options = comma < 0 ? null : KeyValueOptions.Parse(after[(comma + 1)..]);
        ChardevSpec spec = new(id, ChardevOptionReader.ReadSocket(options, null, host, port));
        return options is null ? spec : WithOptions(spec, options);
    }

    private static ChardevSpec WithOptions(ChardevSpec spec, KeyValueOptions options)
    {
        ChardevSpec result = ChardevOptionReader.ApplyCommon(spec, options);
        options.ThrowOnUnused();
        return result;
    }
}
