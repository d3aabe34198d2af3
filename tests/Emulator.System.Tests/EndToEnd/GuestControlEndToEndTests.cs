using Emulator.System.Tests.EndToEnd.Guests;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.System.Tests.EndToEnd;

/// <summary>A running guest under the monitor and the machine's reactions to it: halt, reset, triple fault.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class GuestControlEndToEndTests
{
    /// <summary>Prints "x", puts a marker in EBX and halts with interrupts off.</summary>
    private static byte[] HaltingKernel() => MultibootElfWriter.BuildElf(a =>
    {
        a.mov(al, (byte)'x');
        a.@out(0xE9, al);
        a.mov(ebx, 0x1234_5678);
        a.cli();
        a.hlt();
    });

    [Fact(Timeout = Patience.TestMs)]
    public async Task HaltedGuestShowsInInfoRegistersAndSystemResetReloadsTheKernel()
    {
        await Task.Yield();
        RepoLayout.RequireBuild();
        using var scratch = new ScratchDirectory();
        string kernel = scratch.File("halt.elf");
        string debugcon = scratch.File("debugcon.txt");
        File.WriteAllBytes(kernel, HaltingKernel());
        using var session = StdioMonitorSession.Start(
            scratch, RepoLayout.Emu, ["-display", "none", "-monitor", "stdio", "-kernel", kernel, "-debugcon", "file:" + debugcon]);
        WaitFor(() => scratch.Read("debugcon.txt") == "x", "the first x");

        string registers = WaitForHalt(session);
        Assert.Contains("EBX=12345678", registers, StringComparison.Ordinal);
        Assert.True(registers.Contains("CS =0010 00000000 ffffffff 00cf9b00", StringComparison.Ordinal), registers);

        session.Execute("system_reset");
        WaitFor(() => scratch.Read("debugcon.txt") == "xx", "a second x after system_reset");
        WaitForHalt(session);
        session.Quit();
    }

    [Fact(Timeout = Patience.TestMs)]
    public async Task TripleFaultWithNoRebootExitsAndDumpsTheRegisters()
    {
        await Task.Yield();
        RepoLayout.RequireBuild();
        using var scratch = new ScratchDirectory();
        string kernel = scratch.File("fault.elf");

        // The IDT still has its reset base 0 over zeroed RAM: every gate is absent, so #UD -> #NP -> #DF -> shutdown.
        File.WriteAllBytes(kernel, MultibootElfWriter.BuildElf(a =>
        {
            a.mov(al, (byte)'u');
            a.@out(0xE9, al);
            a.ud2();
        }));
        (int status, string output, string stderr) = GuestRun.Run(scratch, RepoLayout.Emu, ["-display", "none", "-no-reboot"], "-kernel", kernel);
        Assert.True(status == 0, $"status {status}\n{stderr}");
        Assert.Equal("u", output);
        Assert.Contains("triple fault", stderr, StringComparison.Ordinal);
        Assert.Contains("EIP=00100084", stderr, StringComparison.Ordinal);
    }

    [Fact(Timeout = Patience.TestMs)]
    public async Task LogItemsGoToTheLogFileInQemusShapes()
    {
        await Task.Yield();
        RepoLayout.RequireBuild();
        using var scratch = new ScratchDirectory();
        string kernel = scratch.File("fault.elf");
        string log = scratch.File("emu.log");
        File.WriteAllBytes(kernel, MultibootElfWriter.BuildElf(a => a.ud2()));
        (int status, _, string stderr) = GuestRun.Run(
            scratch, RepoLayout.Emu, ["-display", "none", "-no-reboot", "-d", "in_asm,int,cpu_reset", "-D", log], "-kernel", kernel);
        Assert.True(status == 0, $"status {status}\n{stderr}");
        string text = File.ReadAllText(log);
        Assert.Contains("----------------\nIN: \n0x00100080:  0f 0b ", text, StringComparison.Ordinal);
        Assert.Contains("     0: v=06 e=0000 i=0 cpl=0 IP=0010:0000000000100080 pc=0000000000100080", text, StringComparison.Ordinal);
        Assert.Contains("Triple fault\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("IN:", stderr, StringComparison.Ordinal);
    }

    [Fact(Timeout = Patience.TestMs)]
    public async Task SoftwareInterruptsAreLoggedAndTripleFaultIsAGuestError()
    {
        await Task.Yield();
        RepoLayout.RequireBuild();
        using var scratch = new ScratchDirectory();
        string kernel = scratch.File("int3.elf");
        string log = scratch.File("emu.log");

        // INT3 through the absent gate of an IDT over zeroed RAM: #NP -> #DF -> shutdown.
        File.WriteAllBytes(kernel, MultibootElfWriter.BuildElf(a => a.int3()));
        (int status, _, string stderr) = GuestRun.Run(
            scratch, RepoLayout.Emu, ["-display", "none", "-no-reboot", "-d", "int,guest_errors", "-D", log], "-kernel", kernel);
        Assert.True(status == 0, $"status {status}\n{stderr}");
        string text = File.ReadAllText(log);
        Assert.Contains("     0: v=03 e=0000 i=1 cpl=0 IP=0010:0000000000100080 pc=0000000000100080", text, StringComparison.Ordinal);
        Assert.Contains("Triple fault\n", text, StringComparison.Ordinal);
    }

    [Fact(Timeout = Patience.TestMs)]
    public async Task NoShutdownKeepsATripleFaultedMachineStoppedForTheMonitor()
    {
        await Task.Yield();
        RepoLayout.RequireBuild();
        using var scratch = new ScratchDirectory();
        string kernel = scratch.File("fault.elf");
        string debugcon = scratch.File("debugcon.txt");
        File.WriteAllBytes(kernel, MultibootElfWriter.BuildElf(a =>
        {
            a.mov(al, (byte)'u');
            a.@out(0xE9, al);
            a.ud2();
        }));
        using var session = StdioMonitorSession.Start(
            scratch, RepoLayout.Emu, ["-display", "none", "-monitor", "stdio", "-no-reboot", "-no-shutdown", "-kernel", kernel, "-debugcon", "file:" + debugcon]);
        DateTime giveUp = DateTime.UtcNow + Patience.Wait;
        string status;
        while (!(status = session.Execute("info status")).Contains("VM status: paused (shutdown)", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < giveUp, $"never stopped in shutdown: {status}");
            Thread.Sleep(20);
        }

        Assert.Equal("u", scratch.Read("debugcon.txt"));
        session.Execute("system_reset");
        WaitFor(() => scratch.Read("debugcon.txt") == "uu", "the kernel again after system_reset");
        session.Quit();
    }

    [Fact(Timeout = Patience.TestMs)]
    public async Task DebugconOnStdioAppendsToASharedOutputFile()
    {
        await Task.Yield();
        RepoLayout.RequireBuild();
        using var scratch = new ScratchDirectory();
        string bios = scratch.File("hello.bin");
        string output = scratch.File("out.txt");
        File.WriteAllBytes(bios, HelloGuests.Bios());
        File.WriteAllText(output, "before:");
        var start = new global::System.Diagnostics.ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec \"$@\" </dev/null >>" + Shell.Quote(output) + " 2>&1");
        foreach (string arg in (string[])["sh", RepoLayout.Emu, "-display", "none", "-bios", bios, "-debugcon", "stdio", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"])
        {
            start.ArgumentList.Add(arg);
        }

        using var process = global::System.Diagnostics.Process.Start(start) ?? throw new InvalidOperationException("could not start emu");
        Assert.True(process.WaitForExit(Patience.Wait), "emu did not exit");
        Assert.Equal(HelloGuests.ExitStatus, process.ExitCode);
        Assert.Equal("before:" + HelloGuests.Output, File.ReadAllText(output));
    }

    private static string WaitForHalt(StdioMonitorSession session)
    {
        DateTime giveUp = DateTime.UtcNow + Patience.Wait;
        while (true)
        {
            string registers = session.Execute("info registers");
            if (registers.Contains("HLT=1", StringComparison.Ordinal))
            {
                return registers;
            }

            Assert.True(DateTime.UtcNow < giveUp, $"the guest never halted:\n{registers}");
            Thread.Sleep(20);
        }
    }

    private static void WaitFor(Func<bool> condition, string what)
    {
        DateTime giveUp = DateTime.UtcNow + Patience.Wait;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < giveUp, $"never saw {what}");
            Thread.Sleep(20);
        }
    }
}
