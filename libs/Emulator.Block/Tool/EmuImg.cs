using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Emulator.Block;

/// <summary>
/// emu-img: qemu-img's create, info, check and convert for raw and qcow2, with its output and exit codes.
/// The executable is a thin Main over <see cref="Run"/>.
/// </summary>
public static class EmuImg
{
    private const int ConvertChunk = 1 << 20;
    private const int CheckNotSupported = 63;

    private const string Usage =
        "usage: emu-img create [-f fmt] [-b backing -F backing_fmt] [-o cluster_size=N,compat=0.10|1.1] FILE [SIZE]\n" +
        "       emu-img info [-f fmt] [-U] [--output=human|json] FILE\n" +
        "       emu-img check [-f fmt] [-r leaks|all] [-U] FILE\n" +
        "       emu-img convert [-f fmt] [-O fmt] [-o options] [-p] [-U] SRC DST\n";

    /// <summary>Runs one command; returns the process exit code.</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        try
        {
            if (args.Count == 0)
            {
                throw new EmuImgUsageException("no command given");
            }

            IReadOnlyList<string> rest = args.Skip(1).ToList();
            return args[0] switch
            {
                "create" => Create(rest, stdout),
                "info" => Info(rest, stdout),
                "check" => Check(rest, stdout, stderr),
                "convert" => Convert(rest, stderr),
                "--help" or "-h" or "help" => Help(stdout),
                _ => throw new EmuImgUsageException($"unknown command '{args[0]}'"),
            };
        }
        catch (EmuImgUsageException e)
        {
            stderr.Write($"emu-img: {e.Message}\n{Usage}");
            return 1;
        }
        catch (BlockImageException e)
        {
            stderr.WriteLine($"emu-img: {e.Message}");
            return 1;
        }
    }

    private static int Help(TextWriter stdout)
    {
        stdout.Write(Usage);
        return 0;
    }

    private static int Create(IReadOnlyList<string> args, TextWriter stdout)
    {
        var a = EmuImgArguments.Parse(args, ["-f", "-b", "-F", "-o"], ["-q"]);
        if (a.Positionals.Count is < 1 or > 2)
        {
            throw new EmuImgUsageException("create needs FILE and SIZE");
        }

        Dictionary<string, string> o = a.FormatOptions();
        string format = a.Value("-f") ?? "raw";
        ulong? size = null;
        if (a.Positionals.Count == 2)
        {
            size = SizeText.Parse(a.Positionals[1]) ?? throw new EmuImgUsageException(
                "Invalid image size specified. You may use k, M, G, T, P or E suffixes for kilobytes, megabytes, gigabytes, terabytes, petabytes and exabytes.");
        }
        else if (a.Value("-b") is null)
        {
            throw new EmuImgUsageException("create needs SIZE unless a backing file gives it");
        }

        ImageCreateOptions options = ApplyFormatOptions(new ImageCreateOptions
        {
            Path = a.Positionals[0],
            Format = format,
            Size = size,
            BackingFile = a.Value("-b"),
            BackingFormat = a.Value("-F"),
        }, o);
        if (!a.Flag("-q"))
        {
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Formatting '{options.Path}', fmt={format}{(format == "qcow2" ? $" cluster_size={options.ClusterSize}" : "")} size={size?.ToString(CultureInfo.InvariantCulture) ?? "(backing)"}"));
        }

        ImageCreator.Create(options);
        return 0;
    }

    private static ImageCreateOptions ApplyFormatOptions(ImageCreateOptions options, Dictionary<string, string> o)
    {
        foreach ((string key, string value) in o)
        {
            options = key switch
            {
                "cluster_size" => options with { ClusterSize = SizeText.Parse(value) ?? throw new EmuImgUsageException($"invalid cluster_size '{value}'") },
                "compat" => options with { Compat = value },
                "backing_file" => options with { BackingFile = value },
                "backing_fmt" => options with { BackingFormat = value },
                _ => throw new EmuImgUsageException($"unknown format option '{key}' (known: cluster_size, compat, backing_file, backing_fmt)"),
            };
        }

        if (options.Format != "qcow2" && o.Keys.Any(k => k is "cluster_size" or "compat"))
        {
            throw new EmuImgUsageException($"format '{options.Format}' has no option cluster_size or compat");
        }

        return options;
    }

    private static int Info(IReadOnlyList<string> args, TextWriter stdout)
    {
        var a = EmuImgArguments.Parse(args, ["-f", "--output"], ["-U"]);
        if (a.Positionals.Count != 1)
        {
            throw new EmuImgUsageException("info needs exactly one FILE");
        }

        string output = a.Value("--output") ?? "human";
        if (output is not ("human" or "json"))
        {
            throw new EmuImgUsageException($"--output must be human or json, not '{output}'");
        }

        string path = a.Positionals[0];
        using IBlockImage image = BlockImage.Open(new BlockImageOptions { Path = path, Format = a.Value("-f"), ReadOnly = true, ForceShare = a.Flag("-U") });
        long diskSize = new FileInfo(path).Exists ? DiskSize(path) : 0;
        var qcow2 = image as Qcow2Image;
        string format = qcow2 is null ? "raw" : "qcow2";
        if (output == "json")
        {
            stdout.WriteLine(InfoJson(path, image, qcow2, format, diskSize));
            return 0;
        }

        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"image: {path}\nfile format: {format}\n");
        text.Append(CultureInfo.InvariantCulture, $"virtual size: {SizeText.Format(image.Size)} ({image.Size} bytes)\n");
        text.Append(CultureInfo.InvariantCulture, $"disk size: {SizeText.Format((ulong)diskSize)}\n");
        if (qcow2 is not null)
        {
            Qcow2Header h = qcow2.Header;
            text.Append(CultureInfo.InvariantCulture, $"cluster_size: {h.ClusterSize}\n");
            if (h.BackingFile is not null)
            {
                text.Append(CultureInfo.InvariantCulture, $"backing file: {h.BackingFile}");
                text.Append(qcow2.BackingPath != h.BackingFile ? $" (actual path: {qcow2.BackingPath})\n" : "\n");
                if (h.BackingFormat is not null)
                {
                    text.Append(CultureInfo.InvariantCulture, $"backing file format: {h.BackingFormat}\n");
                }
            }

            text.Append("Format specific information:\n");
            text.Append(CultureInfo.InvariantCulture, $"    compat: {(h.Version == 3 ? "1.1" : "0.10")}\n");
            if (h.Version == 3)
            {
                text.Append("    compression type: zlib\n");
                text.Append(CultureInfo.InvariantCulture, $"    lazy refcounts: {((h.CompatibleFeatures & 1) != 0 ? "true" : "false")}\n");
                text.Append(CultureInfo.InvariantCulture, $"    refcount bits: {1 << h.RefcountOrder}\n");
                text.Append(CultureInfo.InvariantCulture, $"    corrupt: {((h.IncompatibleFeatures & Qcow2Header.IncompatibleCorrupt) != 0 ? "true" : "false")}\n");
                text.Append("    extended l2: false\n");
            }
        }

        stdout.Write(text.ToString());
        return 0;
    }

    private static string InfoJson(string path, IBlockImage image, Qcow2Image? qcow2, string format, long diskSize)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteNumber("virtual-size", image.Size);
            json.WriteString("filename", path);
            if (qcow2 is not null)
            {
                json.WriteNumber("cluster-size", qcow2.Header.ClusterSize);
            }

            json.WriteString("format", format);
            json.WriteNumber("actual-size", diskSize);
            if (qcow2?.Header.BackingFile is { } backing)
            {
                json.WriteString("backing-filename", backing);
                json.WriteString("full-backing-filename", qcow2.BackingPath);
                if (qcow2.Header.BackingFormat is { } backingFormat)
                {
                    json.WriteString("backing-filename-format", backingFormat);
                }
            }

            json.WriteBoolean("dirty-flag", qcow2 is not null && (qcow2.Header.IncompatibleFeatures & Qcow2Header.IncompatibleDirty) != 0);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static long DiskSize(string path)
    {
        using HostFile file = HostFile.Open(path, writable: false, direct: false);
        return file.AllocatedBytes;
    }

    private static int Check(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        var a = EmuImgArguments.Parse(args, ["-f", "--output", "-r"], ["-U", "-q"]);
        if (a.Positionals.Count != 1)
        {
            throw new EmuImgUsageException("check needs exactly one FILE");
        }

        string? repair = a.Value("-r");
        if (repair is not (null or "leaks" or "all"))
        {
            throw new EmuImgUsageException($"Unknown option value for -r (expecting 'leaks' or 'all'): {repair}");
        }

        // A repair writes: the image is opened (and locked) for writing, so nobody else can be using it.
        using IBlockImage image = BlockImage.Open(new BlockImageOptions
        {
            Path = a.Positionals[0],
            Format = a.Value("-f"),
            ReadOnly = repair is null,
            ForceShare = a.Flag("-U"),
        });
        if (image is not Qcow2Image qcow2)
        {
            stderr.WriteLine("emu-img: This image format does not support checks");
            return CheckNotSupported;
        }

        Qcow2Repair mode = repair switch { "leaks" => Qcow2Repair.Leaks, "all" => Qcow2Repair.All, _ => Qcow2Repair.None };
        ImageCheckResult result = Qcow2Checker.Check(qcow2, mode, stderr.WriteLine);
        if (mode != Qcow2Repair.None && (result.Corruptions > 0 || !result.Completed))
        {
            stderr.WriteLine(mode == Qcow2Repair.Leaks
                ? "emu-img: the image has errors; nothing was repaired (-r all repairs refcount and COPIED errors)"
                : "emu-img: the image has errors emu-img cannot repair; nothing was changed");
        }

        var text = new StringBuilder();
        if (result.LeaksFixed > 0 || result.CorruptionsFixed > 0)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"The following inconsistencies were found and repaired:\n\n    {result.LeaksFixed} leaked clusters\n    {result.CorruptionsFixed} corruptions\n\nDouble checking the fixed image now...\n");
        }

        foreach (string m in result.Messages)
        {
            text.Append(m).Append('\n');
        }

        if (result.Corruptions > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n{result.Corruptions} errors were found on the image.\nData may be corrupted, or further writes to the image may corrupt it.\n");
        }

        if (result.Leaks > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n{result.Leaks} leaked clusters were found on the image.\nThis means waste of disk space, but no harm to data.\n");
        }

        if (!result.Completed)
        {
            text.Append("\nThe check could not be completed.\n");
        }

        if (result.Corruptions == 0 && result.Leaks == 0 && result.Completed)
        {
            text.Append("No errors were found on the image.\n");
        }

        double total = Math.Max(1, result.TotalClusters);
        text.Append(CultureInfo.InvariantCulture,
            $"{result.AllocatedClusters}/{result.TotalClusters} = {result.AllocatedClusters * 100 / total:F2}% allocated, 0.00% fragmented, {result.CompressedClusters * 100 / total:F2}% compressed clusters\n");
        text.Append(CultureInfo.InvariantCulture, $"Image end offset: {result.ImageEndOffset}\n");
        stdout.Write(text.ToString());
        return result.ExitCode;
    }

    private static int Convert(IReadOnlyList<string> args, TextWriter stderr)
    {
        var a = EmuImgArguments.Parse(args, ["-f", "-O", "-o"], ["-p", "-U", "-q"]);
        if (a.Positionals.Count != 2)
        {
            throw new EmuImgUsageException("convert needs SRC and DST");
        }

        string outputFormat = a.Value("-O") ?? "raw";
        using IBlockImage source = BlockImage.Open(new BlockImageOptions { Path = a.Positionals[0], Format = a.Value("-f"), ReadOnly = true, ForceShare = a.Flag("-U") });
        ImageCreateOptions create = ApplyFormatOptions(
            new ImageCreateOptions { Path = a.Positionals[1], Format = outputFormat, Size = source.Size },
            a.FormatOptions());
        ImageCreator.Create(create);
        using IBlockImage target = BlockImage.Open(new BlockImageOptions { Path = create.Path, Format = outputFormat });
        bool progress = a.Flag("-p");
        var chunk = new byte[ConvertChunk];
        if (progress)
        {
            stderr.Write("    (0.00/100%)\r");
        }

        for (ulong at = 0; at < source.Size;)
        {
            int n = (int)Math.Min((ulong)chunk.Length, source.Size - at);
            Span<byte> data = chunk.AsSpan(0, n);
            source.Read(at, data);

            // A new image reads as zeroes already: skipping zero runs keeps the copy sparse.
            if (data.ContainsAnyExcept((byte)0))
            {
                target.Write(at, data);
            }

            at += (ulong)n;
            if (progress)
            {
                stderr.Write(string.Create(CultureInfo.InvariantCulture, $"    ({at * 100.0 / source.Size:F2}/100%)\r"));
            }
        }

        target.Flush();
        if (progress)
        {
            stderr.Write("\n");
        }

        return 0;
    }
}
