namespace Emulator.Block;

/// <summary>Opens disk images: format probing, QEMU-compatible locking, then the format's implementation.</summary>
public static class BlockImage
{
    /// <summary>Opens the image <paramref name="options"/> names. Throws <see cref="BlockImageException"/> with a message fit for a user.</summary>
    public static IBlockImage Open(BlockImageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Format is not (null or "raw" or "qcow2"))
        {
            throw new BlockImageException($"Unknown image format '{options.Format}' (known: raw, qcow2)");
        }

        HostFile file = HostFile.Open(options.Path, !options.ReadOnly, options.DirectIo);
        try
        {
            ImageLock.Acquire(file, !options.ReadOnly);
            string format = options.Format ?? FormatProbe.Probe(file);
            bool probedRaw = options.Format is null && format == "raw";
            if (probedRaw)
            {
                options.Warn?.Invoke(FormatProbe.ProbedRawWarning(options.Path));
            }

            return format == "raw"
                ? new RawImage(file, probedRaw, options.DiscardUnmap)
                : OpenQcow2(file, options);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private static IBlockImage OpenQcow2(HostFile file, BlockImageOptions options)
    {
        _ = options;
        throw new BlockImageException($"'{file.Path}': qcow2 is not supported yet");
    }
}
