namespace Emulator.Bench;

/// <summary>
/// The script the block bench guest runs (see <see cref="GuestScript"/> for how it gets there): three fio
/// jobs on /dev/vda with O_DIRECT (the guest page cache must not measure itself), each time-based so both
/// emulators get the same measuring time, each followed by <c>EMU-OUT job rKiB/s rIOPS wKiB/s wIOPS</c>.
/// Synchronous I/O (psync, queue depth 1): what one guest thread sees, the latency of the whole path.
/// </summary>
public static class BlockGuestScript
{
    public const int ImageMiB = 64;

    /// <summary>The jobs in the order the guest runs them: writing first leaves no hole for the reads to hit.</summary>
    public static IReadOnlyList<BlockGuestJob> Jobs { get; } =
    [
        new("seqwrite", "sequential write 1 MiB, MB/s", "--rw=write --bs=1M --runtime=5", BlockGuestMetric.WriteMBps),
        new("seqread", "sequential read 1 MiB, MB/s", "--rw=read --bs=1M --runtime=5", BlockGuestMetric.ReadMBps),
        new("randread", "4k random read QD1, IOPS", "--rw=randread --bs=4k --runtime=10", BlockGuestMetric.ReadIops),
    ];

    public static string Script { get; } = string.Join('\n', Lines());

    public static string Append { get; } = GuestScript.KernelArguments(Script);

    private static string[] Lines() =>
        [
            "f() { n=$1; shift; echo \"EMU-BEGIN $n\"; fio --name=$n --filename=/dev/vda --direct=1 --ioengine=psync --time_based"
                + $" --size={ImageMiB}M --output-format=terse --terse-version=3 \"$@\" >o 2>&1; c=$?;"
                + " [ $c = 0 ] || { echo \"EMU-FAIL $n $c\"; head -c 400 o; echo; };"
                + " echo \"EMU-OUT $n $(awk -F';' 'NF > 49 { print $7, $8, $48, $49 }' o)\"; }",
            .. Jobs.Select(j => $"f {j.Name} {j.FioArguments}"),
            "",
        ];
}
