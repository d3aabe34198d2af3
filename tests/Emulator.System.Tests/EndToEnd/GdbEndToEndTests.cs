using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Emulator.System.Tests.EndToEnd.Guests;

namespace Emulator.System.Tests.EndToEnd;

/// <summary>
/// The real gdb (batch mode) against <c>bin/emu -S -gdb tcp::PORT</c>: the guest waits for the
/// debugger, which breaks in the kernel, reads the registers it computed, single-steps, reads memory
/// and kills the machine; emu then exits cleanly.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class GdbEndToEndTests
{
    [Fact(Timeout = Patience.TestMs)]
    public async Task GdbBreaksStepsReadsRegistersAndMemoryThenKills()
    {
        await Task.Yield();
        RepoLayout.RequireBuild();
        using var scratch = new ScratchDirectory();
        string kernel = scratch.File("debug.elf");
        File.WriteAllBytes(kernel, DebugGuests.Kernel());
        int port = FreePort();
        using Process emu = Start(RepoLayout.Emu, scratch.File("emu.err"),
            "-S", "-gdb", $"tcp:127.0.0.1:{port}", "-kernel", kernel, "-display", "none", "-monitor", "none", "-serial", "none",
            "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04");
        try
        {
            string store = $"0x{DebugGuests.StoreAddress:x}";
            (int gdbStatus, string output) = RunGdb(scratch,
                "set tcp connect-timeout 20",
                $"target remote 127.0.0.1:{port}",
                $"break *{store}",
                "continue",
                "printf \"AT=%x\\n\", $pc",
                "printf \"EAX=%x EBX=%x\\n\", $eax, $ebx",
                "stepi",
                "printf \"STEP=%x\\n\", $pc",
                $"x/1wx 0x{DebugGuests.ResultAddress:x}",
                "kill");
            Assert.True(gdbStatus == 0, output);
            Assert.Contains($"AT={DebugGuests.StoreAddress:x}", output, StringComparison.Ordinal);
            Assert.Contains($"EAX={DebugGuests.First + DebugGuests.Second:x} EBX={DebugGuests.Second:x}", output, StringComparison.Ordinal);
            Assert.Contains($"STEP={DebugGuests.StoreAddress + 5:x}", output, StringComparison.Ordinal);
            Assert.Contains($"0x{DebugGuests.First + DebugGuests.Second:x8}", output, StringComparison.Ordinal);
            Assert.True(emu.WaitForExit(Patience.WaitMs), "emu did not exit after kill");
            Assert.True(emu.ExitCode == 0, File.ReadAllText(scratch.File("emu.err")));
        }
        finally
        {
            if (!emu.HasExited)
            {
                emu.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact(Timeout = Patience.TestMs)]
    public async Task DetachLetsTheGuestRunToItsExit()
    {
        await Task.Yield();
        RepoLayout.RequireBuild();
        using var scratch = new ScratchDirectory();
        string kernel = scratch.File("debug.elf");
        File.WriteAllBytes(kernel, DebugGuests.Kernel());
        int port = FreePort();
        using Process emu = Start(RepoLayout.Emu, scratch.File("emu.err"),
            "-S", "-gdb", $"tcp:127.0.0.1:{port}", "-kernel", kernel, "-display", "none", "-monitor", "none", "-serial", "none",
            "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04");
        try
        {
            (int gdbStatus, string output) = RunGdb(scratch,
                "set tcp connect-timeout 20",
                $"target remote 127.0.0.1:{port}",
                "printf \"START=%x\\n\", $pc",
                "detach");
            Assert.True(gdbStatus == 0, output);
            Assert.Contains($"START={MultibootElfWriter.EntryAddress:x}", output, StringComparison.Ordinal);
            Assert.True(emu.WaitForExit(Patience.WaitMs), "the guest did not run to its exit after detach");
            Assert.True(emu.ExitCode == HelloGuests.ExitStatus, File.ReadAllText(scratch.File("emu.err")));
        }
        finally
        {
            if (!emu.HasExited)
            {
                emu.Kill(entireProcessTree: true);
            }
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private static Process Start(string program, string stderr, params string[] args)
    {
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec \"$@\" </dev/null >/dev/null 2>" + Shell.Quote(stderr));
        start.ArgumentList.Add("sh");
        start.ArgumentList.Add(program);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
    }

    private static (int Status, string Output) RunGdb(ScratchDirectory scratch, params string[] commands)
    {
        string output = scratch.File($"gdb-{Guid.NewGuid():N}.txt");
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec \"$@\" </dev/null >" + Shell.Quote(output) + " 2>&1");
        start.ArgumentList.Add("sh");
        start.ArgumentList.Add("gdb");
        foreach (string arg in new[] { "-nx", "-batch" })
        {
            start.ArgumentList.Add(arg);
        }

        foreach (string command in commands)
        {
            start.ArgumentList.Add("-ex");
            start.ArgumentList.Add(command);
        }

        using Process gdb = Process.Start(start) ?? throw new InvalidOperationException("could not start gdb");
        if (!gdb.WaitForExit(Patience.WaitMs))
        {
            gdb.Kill(entireProcessTree: true);
            Assert.Fail($"gdb did not finish\n{File.ReadAllText(output)}");
        }

        return (gdb.ExitCode, File.ReadAllText(output));
    }
}
