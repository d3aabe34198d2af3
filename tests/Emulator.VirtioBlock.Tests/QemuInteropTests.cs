using System.Diagnostics;
using Emulator.Posix;

namespace Emulator.VirtioBlock.Tests;

/// <summary>
/// QEMU 7.2 as the vhost-user front-end of the built emu-block, with no guest OS: SeaBIOS's own
/// virtio-blk driver boots a hand-assembled boot sector from the disk, which reads LBA 1 and writes it
/// to LBA 2 through INT 13h, then reports the byte it read on isa-debug-exit. That is negotiation, a
/// memfd memory table, ring set-up, kicks, calls, reads and writes, all from QEMU, in well under a
/// second under TCG. Needs qemu-system-x86 (installed by make test).
/// </summary>
public sealed class QemuInteropTests : IDisposable
{
    private const string Qemu = "qemu-system-x86_64";
    private const byte Marker = 0x2a;

    /// <summary>
    /// xor ax,ax; mov ds,ax; mov es,ax; mov bx,0x7e00; INT 13h read CHS 0/0/2 (LBA 1) to 0:7e00;
    /// INT 13h write it to CHS 0/0/3 (LBA 2); out 0xf4 with its first byte; hlt. On a carry: out 0xf4, 0x7f.
    /// </summary>
    private static readonly byte[] BootCode =
    [
        0x31, 0xC0, 0x8E, 0xD8, 0x8E, 0xC0, 0xBB, 0x00, 0x7E,
        0xB8, 0x01, 0x02, 0xB9, 0x02, 0x00, 0xB6, 0x00, 0xCD, 0x13, 0x72, 0x14,
        0xB8, 0x01, 0x03, 0xB9, 0x03, 0x00, 0xB6, 0x00, 0xCD, 0x13, 0x72, 0x08,
        0xA0, 0x00, 0x7E, 0xE6, 0xF4, 0xF4, 0xEB, 0xFD,
        0xB0, 0x7F, 0xE6, 0xF4, 0xF4, 0xEB, 0xFD,
    ];

    private readonly string _dir = Directory.CreateTempSubdirectory("emu-block-qemu-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Qemu_boots_through_emu_block_and_its_bios_reads_and_writes_the_disk()
    {
        string image = Path.Combine(_dir, "boot.img");
        byte[] disk = new byte[1 << 20];
        BootCode.CopyTo(disk, 0);
        disk[510] = 0x55;
        disk[511] = 0xAA;
        disk.AsSpan(512, 512).Fill(Marker);
        File.WriteAllBytes(image, disk);
        string socket = Path.Combine(_dir, "blk.sock");

        using Process server = EmuBlockProcess.StartListening(socket, "--blk-file", image, "--format", "raw", "--num-queues", "2");
        try
        {
            var info = new ProcessStartInfo(Qemu) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (string a in (string[])[
                "-M", "q35,accel=tcg", "-m", "64M", "-nodefaults", "-display", "none", "-serial", "none",
                "-object", "memory-backend-memfd,id=m,size=64M,share=on", "-numa", "node,memdev=m",
                "-chardev", $"socket,id=c0,path={socket}",
                "-device", "vhost-user-blk-pci,chardev=c0,num-queues=2,bootindex=0",
                "-device", "isa-debug-exit,iobase=0xf4,iosize=4"])
            {
                info.ArgumentList.Add(a);
            }

            using Process qemu = Process.Start(info) ?? throw new InvalidOperationException($"could not start {Qemu}");
            Task<string> stderr = qemu.StandardError.ReadToEndAsync();
            _ = qemu.StandardOutput.ReadToEndAsync();
            if (!qemu.WaitForExit(120_000))
            {
                qemu.Kill();
                Assert.Fail("QEMU did not finish booting the test sector");
            }

            // isa-debug-exit exits with (value << 1) | 1.
            string messages = await stderr;
            Assert.True(qemu.ExitCode == (Marker << 1) + 1, $"QEMU exited {qemu.ExitCode}: {messages}");
        }
        finally
        {
            ProcessControl.Kill(server.Id, Signals.SIGTERM);
            Assert.True(server.WaitForExit(30_000), "emu-block did not stop on SIGTERM");
        }

        Assert.Equal(0, server.ExitCode);
        Assert.All(File.ReadAllBytes(image).AsSpan(1024, 512).ToArray(), b => Assert.Equal(Marker, b));
    }
}
