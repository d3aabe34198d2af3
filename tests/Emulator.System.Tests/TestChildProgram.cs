using System.Globalization;
using Emulator.DeviceHost;
using Emulator.Posix;
using Emulator.Vmm;
using Microsoft.Extensions.DependencyInjection;

namespace Emulator.System.Tests;

/// <summary>
/// Entry point when the test assembly runs as a process of its own (tests start it; xunit never
/// calls it). Modes: <c>echo-server ARGS</c> is a device server over <see cref="EchoHandler"/>;
/// <c>mini-emulator</c> spawns one echo server through a <see cref="DeviceManager"/>, checks it
/// answers, prints its pid and waits to be killed.
/// </summary>
public static class TestChildProgram
{
    public static int Main(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length > 0 && args[0] == "echo-server")
        {
            return DeviceServerHost.Run(EchoHandler.Definition, args[1..], (_, services) =>
                services.AddSingleton<IConnectionHandler, EchoHandler>());
        }

        if (args.Length > 0 && args[0] == "mini-emulator")
        {
            return RunMiniEmulator();
        }

        return 0;
    }

    private static int RunMiniEmulator()
    {
        var manager = new DeviceManager();
        DeviceConnection server = manager.Spawn("echo0", TestPaths.EchoServerCommand());
        UnixSocket.SendAll(server.Socket, "ping"u8);
        byte[] reply = new byte[4];
        if (!UnixSocket.ReceiveExactly(server.Socket, reply, [], out _))
        {
            return 1;
        }

        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"server-pid {server.ProcessId}"));
        Console.Out.Flush();
        Thread.Sleep(Timeout.Infinite);
        return 0;
    }
}
