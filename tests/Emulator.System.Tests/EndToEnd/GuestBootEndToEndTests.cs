using Emulator.System.Tests.EndToEnd.Guests;

namespace Emulator.System.Tests.EndToEnd;

/// <summary>
/// Tiny guests run under <c>bin/emu</c> and under QEMU with the same devices: the debug console's
/// output and the isa-debug-exit status must be the same.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class GuestBootEndToEndTests
{
    [Fact(Timeout = Patience.TestMs)]
    public async Task NoGuestCodeRunsAfterTheExitWrite()
    {
        await Task.Yield();
        RepoLayout.RequireBuild();
        using var scratch = new ScratchDirectory();
        string kernel = scratch.File("tail.elf");
        File.WriteAllBytes(kernel, HelloGuests.MultibootKernelWithTail());
        AssertSameAsQemu(scratch, "-kernel", kernel);
    }

    [Fact(Timeout = Patience.TestMs)]
    public async Task AGuestResetReloadsTheKernelAsUnderQemu()
    {
        await Task.Yield();
        RepoLayout.RequireBuild();
        using var scratch = new ScratchDirectory();
        string kernel = scratch.File("reset.elf");
        File.WriteAllBytes(kernel, HelloGuests.MultibootKernelThatResetsOnce());
        AssertOutputSameAsQemu(scratch, "first again", "-kernel", kernel);
    }

    [Fact(Timeout = Patience.TestMs)]
    public async Task NoRebootMakesTheGuestResetAnExitAsUnderQemu()
    {
        await Task.Yield();
        RepoLayout.RequireBuild();
        using var scratch = new ScratchDirectory();
        string kernel = scratch.File("reset.elf");
        File.WriteAllBytes(kernel, HelloGuests.MultibootKernelThatResetsOnce());
        string[] args = ["-kernel", kernel, "-no-reboot"];
        (int emuStatus, string emuOutput, _) = GuestRun.Run(scratch, RepoLayout.Emu, ["-display", "none"], args);
        (int qemuStatus, string qemuOutput, _) = GuestRun.Run(scratch, GuestRun.FindQemu(), GuestRun.QemuArgs, args);
        Assert.Equal((0, "first "), (qemuStatus, qemuOutput));
        Assert.Equal((qemuStatus, qemuOutput), (emuStatus, emuOutput));
    }

    [Fact(Timeout = Patience.TestMs)]
    public async Task MultibootKernelPrintsAndExitsAsUnderQemu()
    {
        await Task.Yield();
        RepoLayout.RequireBuild();
        using var scratch = new ScratchDirectory();
        string kernel = scratch.File("hello.elf");
        File.WriteAllBytes(kernel, HelloGuests.MultibootKernel());
        AssertSameAsQemu(scratch, "-kernel", kernel);
    }

    [Fact(Timeout = Patience.TestMs)]
    public async Task BiosImagePrintsAndExitsAsUnderQemu()
    {
        await Task.Yield();
        RepoLayout.RequireBuild();
        using var scratch = new ScratchDirectory();
        string bios = scratch.File("hello.bin");
        File.WriteAllBytes(bios, HelloGuests.Bios());
        AssertSameAsQemu(scratch, "-bios", bios);
    }

    [Fact(Timeout = Patience.TestMs)]
    public async Task GuestWritesToTheBiosRomDoNotStickAsUnderQemu()
    {
        await Task.Yield();
        RepoLayout.RequireBuild();
        using var scratch = new ScratchDirectory();
        string bios = scratch.File("rom.bin");
        File.WriteAllBytes(bios, RomGuests.Bios());
        AssertOutputSameAsQemu(scratch, RomGuests.Output, "-bios", bios);
        (_, _, string log) = GuestRun.Run(scratch, RepoLayout.Emu, ["-display", "none", "-d", "guest_errors"], "-bios", bios);
        Assert.Contains("Invalid write to ROM at addr 0xf8000, size 1", log, StringComparison.Ordinal);
        Assert.Contains("Invalid write to ROM at addr 0xffff8000, size 1", log, StringComparison.Ordinal);
    }

    [Fact(Timeout = Patience.TestMs)]
    public async Task NonMultibootKernelIsAClearError()
    {
        await Task.Yield();
        RepoLayout.RequireBuild();
        using var scratch = new ScratchDirectory();
        string kernel = scratch.File("plain.bin");
        File.WriteAllBytes(kernel, new byte[9000]);
        (int status, _, string stderr) = GuestRun.Run(scratch, RepoLayout.Emu, [], "-kernel", kernel);
        Assert.Equal(1, status);
        Assert.Contains("not a kernel emu can boot", stderr, StringComparison.Ordinal);
    }

    [Fact(Timeout = Patience.TestMs)]
    public async Task BadBiosSizeIsAClearError()
    {
        await Task.Yield();
        RepoLayout.RequireBuild();
        using var scratch = new ScratchDirectory();
        string bios = scratch.File("short.bin");
        File.WriteAllBytes(bios, new byte[1000]);
        (int status, _, string stderr) = GuestRun.Run(scratch, RepoLayout.Emu, [], "-bios", bios);
        Assert.Equal(1, status);
        Assert.Contains("multiple of 64 KiB", stderr, StringComparison.Ordinal);
    }

    [Fact(Timeout = Patience.TestMs)]
    public async Task MultibootInfoMatchesQemusCommandLineAndModules()
    {
        await Task.Yield();
        RepoLayout.RequireBuild();
        using var scratch = new ScratchDirectory();
        string kernel = scratch.File("echo.elf");
        string module = scratch.File("mod.txt");
        File.WriteAllBytes(kernel, HelloGuests.MultibootInfoEcho());
        File.WriteAllBytes(module, "MODULE-DATA\0"u8.ToArray());
        AssertOutputSameAsQemu(
            scratch,
            $"{kernel} console=ttyS0 x=1" + $"{module} arg1" + "MODULE-DATA",
            "-kernel", kernel, "-append", "console=ttyS0 x=1", "-initrd", module + " arg1");
    }

    private static void AssertSameAsQemu(ScratchDirectory scratch, params string[] args) =>
        AssertOutputSameAsQemu(scratch, HelloGuests.Output, args);

    private static void AssertOutputSameAsQemu(ScratchDirectory scratch, string expected, params string[] args)
    {
        (int emuStatus, string emuOutput, string emuStderr) = GuestRun.Run(scratch, RepoLayout.Emu, ["-display", "none"], args);
        (int qemuStatus, string qemuOutput, string qemuStderr) = GuestRun.Run(scratch, GuestRun.FindQemu(), GuestRun.QemuArgs, args);
        Assert.True(qemuStatus == HelloGuests.ExitStatus, $"QEMU exited {qemuStatus}: {qemuStderr}");
        Assert.Equal(expected, qemuOutput);
        Assert.True(emuStatus == qemuStatus, $"emu exited {emuStatus}, QEMU {qemuStatus}\n{emuStderr}");
        Assert.Equal(qemuOutput, emuOutput);
    }
}
