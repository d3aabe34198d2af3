using System.Diagnostics;
using System.Globalization;
using Emulator.System.Tests.Guest;

namespace Emulator.System.Tests.EndToEnd;

/// <summary>
/// The issue's "Bad input" list through the real <c>bin/emu</c>: a -kernel that is not a kernel, a
/// missing initrd, RAM too small for the kernel or the initrd, an over-long command line, an unknown
/// -M, -device or option. Each is one clear <c>emu: </c> line naming the problem and exit status 1,
/// with a virtio disk and a stdio console on the command line, so device servers would be spawned
/// by a start-up that went too far: none may be left behind.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class BadInputEndToEndTests
{
    [Fact(Timeout = Patience.TestMs)]
    public async Task NotAKernelIsOneLineAndExitOne()
    {
        await Task.Yield();
        using var scratch = new ScratchDirectory();
        string kernel = scratch.File("random.bin");
        File.WriteAllBytes(kernel, [.. Enumerable.Range(0, 5000).Select(i => (byte)((i * 167) + 13))]);
        AssertRejected(scratch, "not a kernel emu can boot", "-m", "128", "-kernel", kernel);
    }

    [Fact(Timeout = Patience.TestMs)]
    public async Task MissingInitrdIsOneLineAndExitOne()
    {
        await Task.Yield();
        GuestImages images = GuestImages.Build();
        using var scratch = new ScratchDirectory();
        string missing = scratch.File("no-such-initrd.gz");
        AssertRejected(scratch, $"could not load initrd '{missing}'", "-m", "512", "-kernel", images.Vmlinux, "-initrd", missing);
    }

    [Fact(Timeout = Patience.TestMs)]
    public async Task RamTooSmallForTheKernelIsOneLineAndExitOne()
    {
        await Task.Yield();
        GuestImages images = GuestImages.Build();
        using var scratch = new ScratchDirectory();
        AssertRejected(scratch, "is not inside guest RAM", "-m", "16", "-kernel", images.Vmlinux, "-initrd", images.Initrd);
    }

    [Fact(Timeout = Patience.TestMs)]
    public async Task RamTooSmallForTheInitrdIsOneLineAndExitOne()
    {
        await Task.Yield();
        GuestImages images = GuestImages.Build();
        using var scratch = new ScratchDirectory();
        string initrd = scratch.File("huge.img");
        using (FileStream file = File.Create(initrd))
        {
            file.SetLength(100L << 20);
        }

        AssertRejected(scratch, "give the guest more RAM", "-m", "96", "-kernel", images.Vmlinux, "-initrd", initrd);
    }

    [Fact(Timeout = Patience.TestMs)]
    public async Task OverLongCommandLineIsOneLineAndExitOne()
    {
        await Task.Yield();
        GuestImages images = GuestImages.Build();
        using var scratch = new ScratchDirectory();
        string append = "console=ttyS0 " + new string('x', 70_000);
        AssertRejected(scratch, "the kernel command line has 70014 bytes", "-m", "512", "-kernel", images.Vmlinux, "-append", append);
    }

    [Theory(Timeout = Patience.TestMs)]
    [InlineData("unsupported machine type", "-M", "no-such-board")]
    [InlineData("'no-such-device' is not a valid device model name", "-device", "no-such-device")]
    [InlineData("-no-such-option: invalid option", "-no-such-option")]
    public async Task UnknownMachineDeviceOrOptionIsAnErrorAndExitOne(string message, params string[] args)
    {
        await Task.Yield();
        using var scratch = new ScratchDirectory();
        string kernel = scratch.File("random.bin");
        File.WriteAllBytes(kernel, new byte[5000]);
        AssertRejected(scratch, message, [.. args, "-kernel", kernel]);
    }

    /// <summary>Runs emu with <paramref name="args"/> plus a virtio disk and -nographic; asserts status 1, the message on the first emu line, and no device server left.</summary>
    private static void AssertRejected(ScratchDirectory scratch, string message, params string[] args)
    {
        RepoLayout.RequireBuild();
        string disk = scratch.File("disk.raw");
        using (FileStream file = File.Create(disk))
        {
            file.SetLength(1 << 20);
        }

        string stderr = scratch.File($"stderr-{Guid.NewGuid():N}.txt");
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec \"$@\" </dev/null >/dev/null 2>" + Shell.Quote(stderr));
        start.ArgumentList.Add("sh");
        start.ArgumentList.Add(RepoLayout.Emu);
        foreach (string arg in args.Concat(["-nographic", "-no-reboot", "-drive", $"file={disk},if=virtio,format=raw"]))
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException("could not start emu");
        if (!process.WaitForExit(Patience.Wait))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"emu did not exit for a bad command line\n{File.ReadAllText(stderr)}");
        }

        string text = File.Exists(stderr) ? File.ReadAllText(stderr) : string.Empty;
        Assert.True(process.ExitCode == 1, $"status {process.ExitCode}\n{text}");
        string first = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? string.Empty;
        Assert.StartsWith("emu: ", first, StringComparison.Ordinal);
        Assert.Contains(message, first, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        AssertNoServerOf(process.Id);
    }

    /// <summary>No process started with <c>--parent-pid PID</c> outlives emu (its servers die with it by PR_SET_PDEATHSIG, if any was spawned).</summary>
    private static void AssertNoServerOf(int emu)
    {
        string parent = emu.ToString(CultureInfo.InvariantCulture);
        var deadline = DateTime.UtcNow + Patience.Wait;
        List<int> servers;
        do
        {
            servers = [.. ServersOf(parent)];
            if (servers.Count == 0)
            {
                return;
            }

            Thread.Sleep(50);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Fail($"device servers of emu {emu} outlived it: {string.Join(", ", servers.Select(pid => string.Join(' ', ProcessTree.CommandLine(pid))))}");
    }

    private static IEnumerable<int> ServersOf(string parent)
    {
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int pid) || ProcessProbe.IsDead(pid))
            {
                continue;
            }

            IReadOnlyList<string> command = ProcessTree.CommandLine(pid);
            for (int i = 0; i + 1 < command.Count; i++)
            {
                if (command[i] == "--parent-pid" && command[i + 1] == parent)
                {
                    yield return pid;
                    break;
                }
            }
        }
    }
}
