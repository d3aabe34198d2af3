namespace Emulator.Block;

/// <summary>What <see cref="ImageCreator.Create"/> makes: qemu-img create's options.</summary>
public sealed record ImageCreateOptions
{
    public required string Path { get; init; }

    /// <summary>"raw" or "qcow2".</summary>
    public string Format { get; init; } = "raw";

    /// <summary>Virtual size in bytes (rounded up to 512); null takes the backing image's size.</summary>
    public ulong? Size { get; init; }

    public ulong ClusterSize { get; init; } = 65536;

    /// <summary>qcow2 compat: "1.1" (version 3) or "0.10" (version 2).</summary>
    public string Compat { get; init; } = "1.1";

    /// <summary>qcow2 backing file, stored as given (relative names are relative to the new image's directory).</summary>
    public string? BackingFile { get; init; }

    public string? BackingFormat { get; init; }
}
