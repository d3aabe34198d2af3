using System.Globalization;
using Emulator.Options;

namespace Emulator.Vmm.CommandLine;

/// <summary>The values the block options share (-drive, -blockdev, -device): checked with QEMU's wording.</summary>
internal static class BlockOptionValues
{
    /// <summary>virtio-blk's GET_ID answer: 20 bytes.</summary>
    public const int MaxSerialLength = 20;

    /// <summary>The most request queues an emu-block serves (and a virtio-pci function can carry here).</summary>
    public const int MaxQueues = 64;

    public static string? Format(string? format) => format switch
    {
        null or "raw" or "qcow2" => format,
        _ => throw new OptionsException($"Unknown driver '{format}' (emu reads raw and qcow2)"),
    };

    public static bool DirectIo(string? cache) => cache switch
    {
        null or "writeback" => false,
        "none" => true,
        "writethrough" or "directsync" or "unsafe" => throw new OptionsException($"cache={cache} is not available: use cache=none or cache=writeback"),
        _ => throw new OptionsException($"invalid cache option '{cache}'"),
    };

    public static bool DiscardUnmap(string? discard) => discard switch
    {
        null or "ignore" or "off" => false,
        "unmap" or "on" => true,
        _ => throw new OptionsException($"Invalid discard option '{discard}'"),
    };

    public static string? Serial(string? serial)
    {
        if (serial is null)
        {
            return null;
        }

        return serial.Length <= MaxSerialLength && serial.All(c => c is >= ' ' and <= '~')
            ? serial
            : throw new OptionsException($"serial '{serial}' is not at most {MaxSerialLength} printable ASCII characters");
    }

    public static int? NumQueues(string? text)
    {
        if (text is null)
        {
            return null;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n is >= 1 and <= MaxQueues
            ? n
            : throw new OptionsException($"num-queues '{text}': expected a number in 1..{MaxQueues}");
    }

    /// <summary>QEMU's rule for ids and node names: a letter, then letters, digits, '-', '.', '_'.</summary>
    public static string? Identifier(string? id, string what)
    {
        if (id is null)
        {
            return null;
        }

        bool valid = id.Length > 0 && char.IsAsciiLetter(id[0]) && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_');
        return valid ? id : throw new OptionsException($"Invalid {what}: '{id}' (a letter, then letters, digits, '-', '.' or '_')");
    }

    public static string File(string? file, string key)
    {
        if (file is null)
        {
            throw new OptionsException($"Parameter '{key}' is missing");
        }

        return file.Length > 0 ? file : throw new OptionsException($"Parameter '{key}' needs a file name");
    }
}
