using Emulator.Options;

namespace Emulator.Vmm.CommandLine;

/// <summary>
/// <c>-blockdev driver=qcow2|raw,node-name=N,file.driver=file,file.filename=F[,read-only=on]</c>,
/// <c>-blockdev driver=qcow2|raw,node-name=N,file=FILENODE</c> and
/// <c>-blockdev driver=file,node-name=N,filename=F</c> (a node a device may use as a raw disk).
/// Only the dotted key=value form; QEMU's JSON form is refused. Pure; errors are <see cref="OptionsException"/>.
/// </summary>
public static class BlockdevOptions
{
    public static BlockdevSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.StartsWith('{'))
        {
            throw new OptionsException("the JSON form of -blockdev is not supported: use driver=...,node-name=...");
        }

        KeyValueOptions o = KeyValueOptions.Parse(text);
        string driver = o.GetRequired("driver");
        string nodeName = BlockOptionValues.Identifier(o.Get("node-name"), "node-name") ?? throw new OptionsException("Parameter 'node-name' is missing");
        bool readOnly = o.GetBool("read-only", false);
        bool directIo = o.GetBool("cache.direct", false);
        bool unmap = BlockOptionValues.DiscardUnmap(o.Get("discard"));
        string? filename = null;
        string? fileNode = null;
        switch (driver)
        {
            case "file":
                filename = BlockOptionValues.File(o.Get("filename"), "filename");
                break;
            case "raw" or "qcow2":
                fileNode = o.Get("file");
                string? childDriver = o.Get("file.driver");
                string? childName = o.Get("file.filename");
                if (fileNode is not null && (childDriver is not null || childName is not null))
                {
                    throw new OptionsException("Cannot reference an existing block device with additional options or a new filename");
                }

                if (fileNode is null)
                {
                    if (childDriver is null && childName is null)
                    {
                        throw new OptionsException("Parameter 'file' is missing");
                    }

                    if (childDriver is not null and not "file")
                    {
                        throw new OptionsException($"file.driver '{childDriver}': a format node reads a driver=file node only");
                    }

                    filename = BlockOptionValues.File(childName, "file.filename");
                }
                else
                {
                    BlockOptionValues.Identifier(fileNode, "node-name");
                }

                break;
            default:
                throw new OptionsException($"Parameter 'driver' does not accept value '{driver}' (emu has file, raw and qcow2)");
        }

        o.ThrowOnUnused();
        return new BlockdevSpec(nodeName, driver, filename, fileNode, readOnly, directIo, unmap);
    }
}
