using System.Net.Sockets;
using System.Text.RegularExpressions;
using Emulator.Cpu;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.GdbStub.Tests;

/// <summary>The real gdb drives the stub over TCP against a running interpreter.</summary>
public sealed partial class GdbEndToEndTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    private Label _second;
    private Label _third;

    [Fact]
    public void Gdb_reads_writes_breaks_steps_and_detaches()
    {
        using var machine = new GuestMachine(Program, startStopped: true);
        machine.Memory.Write(GuestMachine.DataBase, [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88]);
        using var server = new GdbServer(machine.Target, new GdbEndpoint("127.0.0.1", 0));
        server.Start();
        machine.Start();
        ulong second = machine.Address(_second);
        ulong third = machine.Address(_third);
        string output = GdbProcess.Run(server.LocalEndPoint.Port,
        [
            "info registers rip rax",
            $"x/8xb 0x{GuestMachine.DataBase:x}",
            $"set {{int}}0x{GuestMachine.DataBase:x} = 5",
            $"break *0x{second:x}",
            "continue",
            "info registers rax rcx",
            "stepi",
            "info registers rip rax",
            $"hbreak *0x{third:x}",
            "continue",
            "info registers",
            $"watch *(int*)0x{GuestMachine.DataBase + 4:x}",
            "continue",
            "detach",
        ], Limit);

        Assert.Matches(@"rip\s+0x1000\s", output);
        Assert.Contains("0x11\t0x22\t0x33\t0x44\t0x55\t0x66\t0x77\t0x88", output, StringComparison.Ordinal);
        Assert.Contains($"Breakpoint 1, 0x{second:x16} in ?? ()", output, StringComparison.Ordinal);
        Assert.Contains($"Breakpoint 2, 0x{third:x16} in ?? ()", output, StringComparison.Ordinal);

        // At the breakpoint: rax = 1 + 2, rcx = the 5 gdb wrote; stepi ran exactly "add rax, rcx".
        List<(string Name, ulong Value)> registers = Registers(output);
        Assert.Equal([3UL, 5UL, second + 3, 8UL], registers.Take(6).Skip(2).Select(r => r.Value));
        Assert.Equal("rip", registers[4].Name);
        Dictionary<string, ulong> final = registers.Skip(6).GroupBy(r => r.Name).ToDictionary(g => g.Key, g => g.Last().Value);
        Assert.Equal(third, final["rip"]);
        Assert.Equal(8UL, final["rax"]);
        Assert.Equal(3UL, final["rbx"]);
        Assert.Equal(5UL, final["rcx"]);
        Assert.Equal((ulong)FlatModeSetup.CodeSelector64, final["cs"]);
        Assert.Equal(EferBits.LME | EferBits.LMA, final["efer"]);
        Assert.Contains($"Hardware watchpoint 3: *(int*)0x{GuestMachine.DataBase + 4:x}", output, StringComparison.Ordinal);

        // The old value is data bytes 4-7 (0x88776655), there before the program stored 7.
        Assert.True(Regex.IsMatch(output, @"Old value = -2005440939\s+New value = 7"), output);
        Assert.True(output.Contains("[Inferior 1 (Remote target) detached]", StringComparison.Ordinal), output);

        // Detached: breakpoints are gone and the guest runs on to its HLT.
        Assert.True(machine.HaltSeen.Wait(Limit), output);
        Assert.Equal(16UL, machine.Vcpu.State.Register(GeneralRegister.Rdx));
        Assert.Equal(5u, machine.Memory.ReadU32(GuestMachine.DataBase));
    }

    [Fact]
    public void Gdb_sees_E14_for_unmapped_memory_and_kill_reaches_the_machine()
    {
        using var machine = new GuestMachine(Program, startStopped: true);
        machine.Memory.Write(0x7_0000, [0x99]);
        using var server = new GdbServer(machine.Target, new GdbEndpoint("127.0.0.1", 0));
        server.Start();
        machine.Start();

        // find reads 48 KiB in packet-sized pieces: the stub must serve the largest reads gdb sends.
        string output = GdbProcess.Run(server.LocalEndPoint.Port, ["x/4xb 0x7000000000", "p/x $cr0", "find /b 0x64000, 0x74000, 0x99", "kill"], Limit);
        Assert.Contains("0x70000\n1 pattern found.", output.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("Cannot access memory at address 0x7000000000", output, StringComparison.Ordinal);
        Assert.Contains("= 0x80000031", output, StringComparison.Ordinal);
        Assert.True(machine.Killed, output);
    }

    [Fact]
    public void A_debugger_vanishing_mid_packet_leaves_the_guest_running()
    {
        using var machine = new GuestMachine(Program, startStopped: false);
        machine.Memory.Write(GuestMachine.DataBase, [5, 0, 0, 0]);
        using var server = new GdbServer(machine.Target, new GdbEndpoint("127.0.0.1", 0));
        server.Start();
        machine.Start();
        using (var client = new TcpClient())
        {
            client.Connect(server.LocalEndPoint);
            NetworkStream stream = client.GetStream();
            stream.Write("+$Z0,1000,1#"u8);
            stream.Write("$m10"u8);
        }

        Assert.True(machine.HaltSeen.Wait(Limit));
        Assert.Equal(16UL, machine.Vcpu.State.Register(GeneralRegister.Rdx));
        Assert.True(machine.Target.Breakpoints.IsEmpty);

        // The next debugger is served.
        string output = GdbProcess.Run(server.LocalEndPoint.Port, ["info registers rdx", "detach"], Limit);
        Assert.Matches(@"rdx\s+0x10\s", output);
    }

    [Fact]
    public void Gdb_steps_32_bit_protected_mode_code()
    {
        using var machine = new GuestMachine(
            a =>
            {
                a.mov(eax, 0x1234_5678);
                a.mov(ebx, eax);
                a.hlt();
            },
            startStopped: true,
            bitness: 32);
        machine.Vcpu.State.Register(GeneralRegister.Rax) = 0xDEAD_0000_0000_0000;
        using var server = new GdbServer(machine.Target, new GdbEndpoint("127.0.0.1", 0));
        server.Start();
        machine.Start();
        string output = GdbProcess.Run(server.LocalEndPoint.Port, ["info registers rip rax cs efer", "stepi", "info registers rip rax", "detach"], Limit);
        List<(string Name, ulong Value)> registers = Registers(output);
        Assert.Equal([("rip", 0x1000UL), ("rax", 0UL), ("cs", FlatModeSetup.CodeSelector32), ("efer", 0UL), ("rip", 0x1005UL), ("rax", 0x1234_5678UL)], registers);
        Assert.True(machine.HaltSeen.Wait(Limit), output);
        Assert.Equal(0x1234_5678UL, machine.Vcpu.State.Register(GeneralRegister.Rbx));
    }

    [Fact]
    public void Without_a_host_the_server_listens_on_all_interfaces()
    {
        using var machine = new GuestMachine(Spin, startStopped: false);
        using var server = new GdbServer(machine.Target, new GdbEndpoint(null, 0));
        Assert.Equal(System.Net.IPAddress.Any, server.LocalEndPoint.Address);
        Assert.NotEqual(0, server.LocalEndPoint.Port);
    }

    [Fact]
    public void Ctrl_c_stops_a_spinning_guest_with_SIGINT()
    {
        using var machine = new GuestMachine(Spin, startStopped: true);
        using var server = new GdbServer(machine.Target, new GdbEndpoint("127.0.0.1", 0));
        server.Start();
        machine.Start();
        using var client = new TcpClient();
        client.Connect(server.LocalEndPoint);
        NetworkStream stream = client.GetStream();
        stream.ReadTimeout = (int)Limit.TotalMilliseconds;
        stream.Write(GdbPacketEncoder.Encode("QStartNoAckMode"u8));
        Assert.Equal("+$OK#9a", ReadReply(stream));
        stream.Write(GdbPacketEncoder.Encode("c"u8));
        stream.Write([0x03]);
        Assert.Equal("$S02#b5", ReadReply(stream));
        stream.Write(GdbPacketEncoder.Encode("p0"u8));
        string rax = ReadReply(stream);
        Assert.NotEqual("$0000000000000000#00", rax);
        Assert.True(machine.Interpreter.InstructionCount > 0);
    }

    private static string ReadReply(NetworkStream stream)
    {
        var reply = new List<byte>();
        int hashAt = -1;
        while (hashAt < 0 || reply.Count < hashAt + 3)
        {
            int b = stream.ReadByte();
            Assert.True(b >= 0, "connection closed");
            reply.Add((byte)b);
            if (b == '#' && hashAt < 0)
            {
                hashAt = reply.Count - 1;
            }
        }

        return System.Text.Encoding.Latin1.GetString([.. reply]);
    }

    private static List<(string Name, ulong Value)> Registers(string output) =>
        [.. RegisterLine().Matches(output).Select(m => (m.Groups[1].Value, Convert.ToUInt64(m.Groups[2].Value, 16)))];

    [GeneratedRegex(@"^([a-z][a-z0-9_]*)\s+0x([0-9a-f]+)\s", RegexOptions.Multiline)]
    private static partial Regex RegisterLine();

    /// <summary>rax = 1 + 2; rcx = [data]; second: rax += rcx; rbx++; third: rdx = rax * 2; [data + 4] = 7; hlt.</summary>
    private void Program(Assembler a)
    {
        _second = a.CreateLabel();
        _third = a.CreateLabel();
        a.mov(rax, 1);
        a.mov(rbx, 2);
        a.add(rax, rbx);
        a.mov(ecx, __dword_ptr[(long)GuestMachine.DataBase]);
        a.Label(ref _second);
        a.add(rax, rcx);
        a.inc(rbx);
        a.nop();
        a.Label(ref _third);
        a.mov(rdx, rax);
        a.add(rdx, rdx);
        a.mov(__dword_ptr[(long)GuestMachine.DataBase + 4], 7);
        Label halt = a.CreateLabel();
        a.Label(ref halt);
        a.hlt();
        a.jmp(halt);
    }

    private static void Spin(Assembler a)
    {
        Label loop = a.CreateLabel();
        a.Label(ref loop);
        a.inc(rax);
        a.jmp(loop);
    }
}
