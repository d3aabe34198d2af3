using Emulator.Options;

namespace Emulator.Vmm.Machine;

/// <summary>
/// Where <c>-debugcon</c> sends its bytes, served in-process (the port is written one byte at a
/// time by the vCPU; a chardev server round trip per byte buys nothing): <c>file:PATH</c>
/// (truncated, as QEMU's file chardev), <c>stdio</c> (the emulator's standard output) or
/// <c>null</c>. Other chardev kinds, including <c>chardev:ID</c>, are a clear error for now.
/// </summary>
public static class DebugconOutput
{
    /// <summary>
    /// The stream for <paramref name="spec"/>; errors are <see cref="OptionsException"/> (unsupported) or I/O
    /// exceptions (opening the file). <paramref name="openStandardOutput"/> gives a write(2) stream on fd 1
    /// (not a FileStream, which would pwrite at its own offset over a shared <c>&gt;log</c>).
    /// </summary>
    public static Stream Open(string spec, Func<Stream>? openStandardOutput)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.StartsWith("file:", StringComparison.Ordinal))
        {
            return new FileStream(spec[5..], FileMode.Create, FileAccess.Write, FileShare.ReadWrite, 1);
        }

        return spec switch
        {
            "stdio" => openStandardOutput?.Invoke() ?? throw new OptionsException("-debugcon stdio: standard output is not available here"),
            "null" => Stream.Null,
            _ => throw new OptionsException($"-debugcon {spec}: only file:PATH, stdio, null and none are supported"),
        };
    }
}
