namespace Emulator.Chardev;

/// <summary>Builds the backend a <see cref="ChardevSpec"/> describes (not started yet).</summary>
public static class ChardevFactory
{
    /// <summary>
    /// The backend for <paramref name="spec"/>, wrapped in a <see cref="LoggingBackend"/> when it has a
    /// logfile. Call <see cref="IChardevBackend.Start"/> next; for a mux, put a <see cref="ChardevMux"/>
    /// and a <see cref="ByteStreamPump"/> on top.
    /// </summary>
    public static IChardevBackend Create(ChardevSpec spec, ChardevContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        context ??= ChardevContext.Default;
        IChardevBackend backend = spec.Backend switch
        {
            NullBackendSpec => new NullBackend(spec.Id),
            StdioBackendSpec stdio => new StdioBackend(spec.Id, stdio, context.StandardInput, context.StandardOutput),
            FileBackendSpec file => new FileBackend(spec.Id, file),
            PtyBackendSpec => new PtyBackend(spec.Id, context.Report),
            SocketBackendSpec socket => new SocketBackend(spec.Id, socket, context.Report),
            _ => throw new ArgumentException($"unknown backend {spec.Backend.Name}", nameof(spec)),
        };

        return spec.LogFile is null ? backend : new LoggingBackend(backend, spec.LogFile, spec.LogAppend, context.Report);
    }
}
