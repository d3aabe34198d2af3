namespace Emulator.Chardev;

/// <summary>
/// One parsed <c>-chardev</c> (or <c>-serial</c>/<c>-monitor</c> shorthand): its id, its backend and
/// the options every backend shares. Immutable; built by <see cref="ChardevParser"/>.
/// </summary>
/// <param name="Id">The chardev id (QEMU's label), e.g. "serial0" or "char0".</param>
/// <param name="Backend">What the bytes are connected to.</param>
public sealed record ChardevSpec(string Id, ChardevBackendSpec Backend)
{
    /// <summary><c>mux=on</c>: several front-ends share the backend, switched with C-a c.</summary>
    public bool Mux { get; init; }

    /// <summary>The shorthand said <c>mon:</c>: the HMP monitor is one of the mux's front-ends.</summary>
    public bool MonitorMuxed { get; init; }

    /// <summary><c>logfile=</c>: every byte front-ends write is copied here.</summary>
    public string? LogFile { get; init; }

    /// <summary><c>logappend=on</c>: keep the log file's old content instead of truncating it.</summary>
    public bool LogAppend { get; init; }
}
