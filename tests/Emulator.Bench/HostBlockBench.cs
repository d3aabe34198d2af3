using System.Diagnostics;
using Emulator.Posix;
using Emulator.VhostUser;
using Emulator.VirtioBlock;

namespace Emulator.Bench;

/// <summary>
/// The host half of <c>--block</c>, no guest: this process is the vhost-user front-end (memfd guest RAM,
/// one request queue, <see cref="BlockRing"/>) of qemu-storage-daemon's vhost-user-blk export and of
/// emu-block in turn, on the same image, and measures reads for a fixed time each.
/// </summary>
public static class HostBlockBench
{
    public static readonly TimeSpan Duration = TimeSpan.FromSeconds(3);

    /// <summary>Random reads start from a fixed seed, so both servers see the same offsets.</summary>
    private const int Seed = 5;

    private static readonly (string Label, int Depth, uint Bytes, bool Random)[] Runs =
    [
        ("4k random read QD1, IOPS", 1, 4096, true),
        ("4k random read QD32, IOPS", 32, 4096, true),
        ("sequential read 1 MiB QD1, MB/s", 1, BlockRing.MaxRequestBytes, false),
    ];

    public static void Run(string emuBlock, bool qemu, string directory, string image, List<BlockFigure> figures, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(figures);
        double[]? theirs = null;
        if (qemu)
        {
            using BlockServer server = BlockServer.StartQemuStorageDaemon(image, Path.Combine(directory, "qsd.sock"));
            theirs = Measure("qemu-storage-daemon", server, image, log);
        }

        double[] ours;
        using (BlockServer server = BlockServer.StartEmuBlock(emuBlock, image, Path.Combine(directory, "emu-block.sock")))
        {
            ours = Measure("emu-block", server, image, log);
        }

        for (int i = 0; i < Runs.Length; i++)
        {
            figures.Add(new BlockFigure(Runs[i].Label, theirs?[i], ours[i]));
        }
    }

    private static double[] Measure(string name, BlockServer server, string image, TextWriter log)
    {
        try
        {
            using var frontend = new VhostUserFrontend(server.Connect(), 30_000);
            frontend.Negotiate(VirtioBlkFeatures.Version1 | VirtioBlkFeatures.BlkSize | VirtioBlkFeatures.SegMax | VhostUserFeatureBits.ProtocolFeatures,
                VhostUserProtocolFeatures.Config | VhostUserProtocolFeatures.ReplyAck);
            ulong sectors = BitConverter.ToUInt64(frontend.GetConfig(0, 8));
            using var ring = new BlockRing(frontend, Runs.Max(r => r.Depth));
            var results = new double[Runs.Length];
            for (int i = 0; i < Runs.Length; i++)
            {
                (string label, int depth, uint bytes, bool random) = Runs[i];
                (long requests, double seconds) = Drive(ring, depth, bytes, random, sectors);
                results[i] = bytes >= BlockRing.MaxRequestBytes ? requests * (double)bytes / seconds / 1e6 : requests / seconds;
                log.WriteLine($"bench --block: {name}: {label}: {requests} requests in {seconds:F2} s = {results[i]:F0}");
            }

            Verify(ring, sectors, image);

            return results;
        }
        catch (Exception e) when (e is VhostUserProtocolException or PosixException or TimeoutException or InvalidOperationException)
        {
            throw new InvalidOperationException($"{name}: {e.Message} (server said: {server.Errors})", e);
        }
    }

    /// <summary>A figure for reads that return nothing would be worthless: one read near the end must match the file.</summary>
    private static void Verify(BlockRing ring, ulong sectors, string image)
    {
        const uint Bytes = 4096;
        ulong sector = (sectors - (Bytes / BlockRing.SectorBytes)) / 8 * 8;
        ring.SubmitRead(0, sector, Bytes);
        ring.Kick();
        ring.WaitCompletions([]);
        byte[] expected = new byte[Bytes];
        using (FileStream file = File.OpenRead(image))
        {
            file.Position = (long)(sector * BlockRing.SectorBytes);
            file.ReadExactly(expected);
        }

        if (!ring.Data(0, Bytes).AsSpan().SequenceEqual(expected))
        {
            throw new InvalidOperationException($"a read of sector {sector} returned other bytes than the image holds");
        }
    }

    /// <summary>Keeps <paramref name="depth"/> reads in flight for <see cref="Duration"/>; returns how many completed and in how long.</summary>
    private static (long Requests, double Seconds) Drive(BlockRing ring, int depth, uint bytes, bool random, ulong sectors)
    {
        ulong perRequest = bytes / BlockRing.SectorBytes;
        ulong positions = sectors / perRequest;
        if (positions == 0)
        {
            throw new InvalidOperationException($"the disk ({sectors} sectors) is smaller than one {bytes}-byte request");
        }

        var rng = new Random(Seed);
        ulong next = 0;
        ulong Sector()
        {
            ulong position = random ? (ulong)rng.NextInt64((long)positions) : next++ % positions;
            return position * perRequest;
        }

        for (int slot = 0; slot < depth; slot++)
        {
            ring.SubmitRead(slot, Sector(), bytes);
        }

        ring.Kick();
        var completed = new List<int>(depth);
        long done = 0;
        long start = Stopwatch.GetTimestamp();
        long end = start + (long)(Duration.TotalSeconds * Stopwatch.Frequency);
        int inFlight = depth;
        while (inFlight > 0)
        {
            completed.Clear();
            ring.WaitCompletions(completed);
            done += completed.Count;
            inFlight -= completed.Count;
            if (Stopwatch.GetTimestamp() < end)
            {
                foreach (int slot in completed)
                {
                    ring.SubmitRead(slot, Sector(), bytes);
                }

                inFlight += completed.Count;
                ring.Kick();
            }
        }

        return (done, Stopwatch.GetElapsedTime(start).TotalSeconds);
    }
}
