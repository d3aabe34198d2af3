using Emulator.System.Tests.EndToEnd;

namespace Emulator.System.Tests.Block;

/// <summary><c>bin/emu</c> with a disk that cannot start: exit status 1 and one line naming the option. No guest runs.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class BlockStartErrorTests
{
    [Fact(Timeout = Patience.TestMs)]
    public async Task A_missing_image_is_a_clear_error()
    {
        await Task.Yield();
        RepoLayout.RequireBuild();
        using var scratch = new ScratchDirectory();
        string image = scratch.File("missing.img");
        (int status, _, string stderr) = GuestRun.Run(scratch, RepoLayout.Emu, ["-display", "none"], "-drive", $"file={image},format=raw,if=virtio");
        Assert.Equal(1, status);
        Assert.Contains($"emu: -drive file={image},format=raw,if=virtio: Could not open '{image}': No such file or directory", stderr, StringComparison.Ordinal);
    }

    [Fact(Timeout = Patience.TestMs)]
    public async Task A_vhost_user_chardev_is_connected_by_the_emulator_not_by_emu_chardev()
    {
        await Task.Yield();
        RepoLayout.RequireBuild();
        using var scratch = new ScratchDirectory();
        string socket = scratch.File("nobody.sock");
        (int status, _, string stderr) = GuestRun.Run(scratch, RepoLayout.Emu, ["-display", "none"],
            "-chardev", $"socket,id=c0,path={socket}", "-device", "vhost-user-blk-pci,chardev=c0");
        Assert.Equal(1, status);
        Assert.Contains($"-device vhost-user-blk-pci,chardev=c0: cannot connect to device server 'blk0:c0' at {socket}", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("emu-chardev", stderr, StringComparison.Ordinal);
    }
}
