using Emulator.Options;
using Microsoft.Win32.SafeHandles;

namespace Emulator.Vmm.Machine;

/// <summary>
/// Where <c>-debugcon</c> sends its bytes, served in-process (the port is written one byte at a
/// time by the vCPU; a chardev server round trip per byte buys nothing): <c>file:PATH</c>
/// (truncated, as QEMU's file chardev), <c>stdio</c> (the emulator's standard output) or
/// <c>null</c>. Other chardev kinds, including <c>chardev:ID</c>, are a clear error for now.
/// </summary>
public static class DebugconOutput
{
    /// <summary>The stream for <paramref name="spec"/>; errors are <see cref="OptionsException"/> (unsupported) or I/O exceptions (opening the file).</summary>
    public static Stream Open(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.StartsWith("file:", StringComparison.Ordinal))
        {
            return new FileStream(spec[5..], FileMode.Create, FileAccess.Write, FileShare.ReadWrite, 1);
        }

        return spec switch
        {
            // SAFETY of the handle: fd 1 lives as long as the process; the stream does not own it.
            "stdio" => new FileStream(new SafeFileHandle(1, ownsHandle: false), FileAccess.Write, 1),
            "null" => Stream.Null,
            _ => throw new OptionsException($"-debugcon {spec}: only file:PATH, stdio, null and none are supported"),
        };
    }
}
