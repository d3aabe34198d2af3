using Emulator.System.Tests.EndToEnd;

namespace Emulator.System.Tests.Guest;

/// <summary>A multiboot kernel assembled here prints over COM1 (a 16550 whose bytes reach the chardev server) and exits through isa-debug-exit.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class SerialMultibootTests
{
    [Fact(Timeout = Patience.TestMs)]
    public async Task Com1OutputReachesTheChardevAndTheExitCodeIsChosen()
    {
        await Task.Yield();
        RepoLayout.RequireBuild();
        using var scratch = new ScratchDirectory();
        string kernel = scratch.File("com1.elf");
        File.WriteAllBytes(kernel, SerialGuests.Com1Kernel());
        string console = scratch.File("com1.txt");

        (int status, _, string stderr) = GuestRun.Run(
            scratch, RepoLayout.Emu, ["-display", "none"],
            "-kernel", kernel, "-chardev", $"file,id=s0,path={console}", "-serial", "chardev:s0");

        Assert.True(status == SerialGuests.ExitStatus, $"emu exited {status}, expected {SerialGuests.ExitStatus}\n{stderr}");
        Assert.Equal(SerialGuests.Output, File.Exists(console) ? File.ReadAllText(console) : string.Empty);
    }

    [Fact(Timeout = Patience.TestMs)]
    public async Task Com1KernelBehavesAsUnderQemu()
    {
        await Task.Yield();
        using var scratch = new ScratchDirectory();
        string kernel = scratch.File("com1.elf");
        File.WriteAllBytes(kernel, SerialGuests.Com1Kernel());
        string console = scratch.File("qemu-com1.txt");

        (int status, _, string stderr) = GuestRun.Run(scratch, GuestRun.FindQemu(), GuestRun.QemuArgs, "-kernel", kernel, "-serial", "file:" + console);

        // The kernel is right by QEMU's judgement too, so a failure of the test above is emu's.
        Assert.True(status == SerialGuests.ExitStatus, $"QEMU exited {status}\n{stderr}");
        Assert.Equal(SerialGuests.Output, File.ReadAllText(console));
    }
}
