namespace Emulator.Block;

/// <summary>Opens disk images: format probing, QEMU-compatible locking, then the format's implementation.</summary>
public static class BlockImage
{
    private const int MaxBackingDepth = 64;

    /// <summary>Opens the image <paramref name="options"/> names. Throws <see cref="BlockImageException"/> with a message fit for a user.</summary>
    public static IBlockImage Open(BlockImageOptions options) => Open(options, 0);

    private static IBlockImage Open(BlockImageOptions options, int depth)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Format is not (null or "raw" or "qcow2"))
        {
            throw new BlockImageException($"Unknown image format '{options.Format}' (known: raw, qcow2)");
        }

        if (options.ForceShare && !options.ReadOnly)
        {
            throw new BlockImageException($"force-share (-U) is only valid for read-only opens of '{options.Path}'");
        }

        HostFile file = HostFile.Open(options.Path, !options.ReadOnly, options.DirectIo);
        try
        {
            if (!options.ForceShare)
            {
                ImageLock.Acquire(file, !options.ReadOnly);
            }

            string format = options.Format ?? FormatProbe.Probe(file);
            bool probedRaw = options.Format is null && format == "raw";
            if (probedRaw)
            {
                options.Warn?.Invoke(FormatProbe.ProbedRawWarning(options.Path));
            }

            return format == "raw"
                ? new RawImage(file, probedRaw, options.DiscardUnmap)
                : OpenQcow2(file, options, depth);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private static Qcow2Image OpenQcow2(HostFile file, BlockImageOptions options, int depth) =>
        Qcow2Image.Open(file, options, backing =>
            depth < MaxBackingDepth
                ? Open(backing, depth + 1)
                : throw new BlockImageException($"backing chain of '{options.Path}' is deeper than {MaxBackingDepth} images (a loop?)"));
}
