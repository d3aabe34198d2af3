using Emulator.Options;

namespace Emulator.Vmm.CommandLine;

/// <summary>
/// <c>-drive file=F[,format=raw|qcow2][,if=virtio|none][,id=ID][,readonly=on][,cache=none|writeback][,discard=unmap|ignore][,serial=S][,media=disk]</c>.
/// QEMU's default interface on a pc is IDE, which emu does not have: leaving <c>if=</c> out is an
/// error that says to use <c>if=virtio</c>. Pure; errors are <see cref="OptionsException"/>.
/// </summary>
public static class DriveOptions
{
    public static DriveSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        KeyValueOptions o = KeyValueOptions.Parse(text);
        string file = BlockOptionValues.File(o.Get("file"), "file");
        string? format = BlockOptionValues.Format(o.Get("format"));
        DriveInterface drive = o.Get("if") switch
        {
            "virtio" => DriveInterface.Virtio,
            "none" => DriveInterface.None,
            null or "ide" => throw new OptionsException("if=ide (QEMU's default on a pc) is not available: emu has no IDE controller, use if=virtio"),
            string other => throw new OptionsException($"unsupported bus type '{other}': use if=virtio or if=none"),
        };
        string? id = BlockOptionValues.Identifier(o.Get("id"), "drive id");
        bool readOnly = o.GetBool("readonly", false) | o.GetBool("read-only", false);
        bool directIo = BlockOptionValues.DirectIo(o.Get("cache"));
        bool unmap = BlockOptionValues.DiscardUnmap(o.Get("discard"));
        string? serial = BlockOptionValues.Serial(o.Get("serial"));
        switch (o.Get("media"))
        {
            case null or "disk":
                break;
            case "cdrom":
                throw new OptionsException("media=cdrom is not available: emu has no CD-ROM drive");
            case string other:
                throw new OptionsException($"'{other}' invalid media");
        }

        o.ThrowOnUnused();
        return new DriveSpec(id, drive, new DiskImage(file, format, readOnly, directIo, unmap), serial);
    }
}
