using System.ComponentModel;
using Emulator.Posix;
using Emulator.VhostUser;

namespace Emulator.Bench;

/// <summary>
/// `make bench`, block part (<c>--block</c>): block I/O figures of ours next to QEMU's on one raw image,
/// in the guest (fio, see <see cref="GuestBlockBench"/>) and on the host without a guest (this process as
/// the vhost-user front-end, see <see cref="HostBlockBench"/>).
/// </summary>
public static class BlockBench
{
    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter log)
    {
        BlockBenchOptions? options = BlockBenchOptions.Parse(args, out string error);
        if (options is null)
        {
            log.WriteLine($"bench --block: {error}");
            log.WriteLine($"usage: {BlockBenchOptions.Usage}");
            return 1;
        }

        string[] needed = options.Guest ? [options.Kernel, options.Initrd, options.FioCpio, options.Emu, options.EmuBlock] : [options.EmuBlock];
        if (needed.FirstOrDefault(f => !File.Exists(f)) is { } missing)
        {
            log.WriteLine($"bench --block: {missing} does not exist (make build; scripts/guest/build.sh; scripts/guest/fio-initrd.sh)");
            return 1;
        }

        bool ok = true;
        string load = LoadAverage.OneMinute();
        string directory = Directory.CreateTempSubdirectory("emu-block-bench-").FullName;
        string image = BlockImage.Create(directory, BlockGuestScript.ImageMiB);
        string size = $"{BlockGuestScript.ImageMiB} MiB raw image, host cache={GuestBlockBench.Cache}";
        output.WriteLine();
        if (options.Host)
        {
            bool qsd = options.WithQemu && CanRun(BlockServer.QemuStorageDaemon);
            var figures = new List<BlockFigure>();
            try
            {
                HostBlockBench.Run(options.EmuBlock, qsd, directory, image, figures, log);
            }
            catch (Exception e) when (e is VhostUserProtocolException or PosixException or InvalidOperationException or IOException or Win32Exception)
            {
                log.WriteLine($"bench --block: host half failed: {e.Message}");
                ok = false;
            }

            output.WriteLine($"Block I/O, host side (no guest): this process as vhost-user front-end (memfd RAM, one queue, {HostBlockBench.Duration.TotalSeconds:F0} s per line) "
                + $"of {(qsd ? "qemu-storage-daemon's vhost-user-blk export" : "(qemu-storage-daemon not run)")} vs emu-block; {size}; "
                + $"{Environment.ProcessorCount} cores, 1-min load average {load} at start");
            BlockBenchTable.Print(output, "qsd", figures);
        }

        if (options.Guest)
        {
            bool qemu = options.WithQemu && QemuLoopRunner.IsAvailable();
            string guestLoad = LoadAverage.OneMinute();
            var figures = new List<BlockFigure>();
            ok &= GuestBlockBench.Run(options, qemu, directory, image, figures, log);
            output.WriteLine($"Block I/O, in the guest: fio (O_DIRECT on /dev/vda, psync) in the default guest, -m {options.MemoryMiB}; "
                + $"{(qemu ? "QEMU TCG with in-process virtio-blk" : "QEMU not run")} vs ours (virtio-blk served by emu-block); {size}; "
                + $"1-min load average {guestLoad} at start");
            output.WriteLine($"  consoles: {directory}");
            BlockBenchTable.Print(output, "qemu", figures);
        }

        File.Delete(image);
        return ok ? 0 : 1;
    }

    private static bool CanRun(string program) =>
        Environment.GetEnvironmentVariable("PATH")?.Split(':').Any(d => d.Length > 0 && File.Exists(Path.Combine(d, program))) ?? false;
}
