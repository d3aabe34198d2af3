namespace Emulator.Block;

/// <summary>The outcome of checking an image's metadata, as qemu-img check reports it.</summary>
public sealed record ImageCheckResult
{
    public int Corruptions { get; init; }

    public int Leaks { get; init; }

    /// <summary>false: the check could not look at everything (qemu-img's exit code 1).</summary>
    public bool Completed { get; init; } = true;

    public IReadOnlyList<string> Messages { get; init; } = [];

    public ulong AllocatedClusters { get; init; }

    public ulong TotalClusters { get; init; }

    public ulong CompressedClusters { get; init; }

    public ulong ImageEndOffset { get; init; }

    /// <summary>Leaked clusters a repair freed before this (final) check.</summary>
    public int LeaksFixed { get; init; }

    /// <summary>Corruptions (refcounts below the count, wrong COPIED flags) a repair fixed before this check.</summary>
    public int CorruptionsFixed { get; init; }

    /// <summary>qemu-img check's exit code: 0 clean, 1 not completed, 2 corruptions, 3 leaks only.</summary>
    public int ExitCode => !Completed ? 1 : Corruptions > 0 ? 2 : Leaks > 0 ? 3 : 0;
}
