namespace Emulator.Block;

/// <summary>How to open a disk image: the file, its format, and the host-side policies a drive option sets.</summary>
public sealed record BlockImageOptions
{
    public required string Path { get; init; }

    /// <summary>"raw" or "qcow2"; null probes the format as QEMU does (with its protection of a probed raw sector 0).</summary>
    public string? Format { get; init; }

    public bool ReadOnly { get; init; }

    /// <summary>cache=none: the image is opened O_DIRECT (a file system that refuses it is a clear error).</summary>
    public bool DirectIo { get; init; }

    /// <summary>false is discard=ignore: discards are accepted and do nothing.</summary>
    public bool DiscardUnmap { get; init; } = true;

    /// <summary>qemu-img -U: open read-only without taking or checking image locks (only with <see cref="ReadOnly"/>).</summary>
    public bool ForceShare { get; init; }

    /// <summary>
    /// Repair leaked qcow2 clusters before use (qemu-img check -r leaks), for an image a killed writer may
    /// have left with clusters allocated but not yet referenced. Only for writable opens; a corrupt image
    /// is left as it is (and a warning says so). The image lock is taken first, so no other writer exists.
    /// </summary>
    public bool RepairLeaks { get; init; }

    /// <summary>Where warnings go (e.g. the probed-raw one); null drops them.</summary>
    public Action<string>? Warn { get; init; }
}
