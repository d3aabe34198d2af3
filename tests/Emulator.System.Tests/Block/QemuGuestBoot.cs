using System.Diagnostics;
using System.Text;
using Emulator.System.Tests.EndToEnd;
using Emulator.System.Tests.Guest;

namespace Emulator.System.Tests.Block;

/// <summary>
/// Boots the default guest under QEMU 7.2 (<c>qemu-system-x86_64 -accel tcg</c>, the reference our
/// device servers must satisfy) with extra options, runs a shell script in it (<c>emu.run64</c>) and
/// returns QEMU's exit status, the serial console and QEMU's stderr. Guest RAM is a shared memfd so a
/// vhost-user back-end can map it. Bounded: a boot that does not end is killed and fails the test.
/// </summary>
internal static class QemuGuestBoot
{
    public const string Program = "qemu-system-x86_64";

    /// <summary>Only guards against a hang: a TCG boot of this guest takes seconds, more on two busy cores.</summary>
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(5);

    public static (int Status, string Console, string Stderr) Run(ScratchDirectory scratch, string script, params string[] options)
    {
        GuestImages images = GuestImages.Build();
        string console = scratch.File($"qemu-console-{Guid.NewGuid():N}.txt");
        string stderr = scratch.File($"qemu-stderr-{Guid.NewGuid():N}.txt");
        string run64 = Convert.ToBase64String(Encoding.UTF8.GetBytes(script));
        // On loaded cores TCG runs the kernel's IO-APIC timer check too slowly and it panics
        // ("IO-APIC + timer doesn't work"): skip the check; a panic reboots, so -no-reboot ends QEMU at once.
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(Shell.ExecScript("/dev/null", console, stderr));
        foreach (string arg in (string[])[Program, "-accel", "tcg", "-no-user-config", "-m", "512",
            "-object", "memory-backend-memfd,id=mem,size=512M,share=on", "-numa", "node,memdev=mem",
            "-kernel", images.Vmlinux, "-initrd", images.Initrd,
            "-append", $"console=ttyS0 quiet no_timer_check panic=-1 emu.run64={run64}", "-nographic", "-no-reboot", "-net", "none", .. options])
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {Program} (apt-get install qemu-system-x86)");
        try
        {
            if (!process.WaitForExit(Limit))
            {
                Assert.Fail($"the guest did not power off under QEMU within {Limit}\n{ReadOrEmpty(console)}\n{ReadOrEmpty(stderr)}");
            }
        }
        finally
        {
            // Also when the wait itself threw: no QEMU outlives its test.
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
            }
        }

        return (process.ExitCode, ReadOrEmpty(console), ReadOrEmpty(stderr));
    }

    private static string ReadOrEmpty(string path) => File.Exists(path) ? File.ReadAllText(path) : string.Empty;
}
