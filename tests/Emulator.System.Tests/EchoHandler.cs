using Emulator.DeviceHost;
using Emulator.Posix;

namespace Emulator.System.Tests;

/// <summary>The simplest device: sends back whatever it receives.</summary>
public sealed class EchoHandler : IConnectionHandler
{
    public static readonly DeviceServerDefinition Definition = new(
        "emu-test-echo",
        "echo",
        features: ["echo", "reconnect"],
        options: [new ServerOption("greeting", "TEXT", "sent to every front-end on connect")],
        description: "Echo device server for tests.");

    private readonly string? _greeting;

    public EchoHandler(DeviceServerArguments args)
    {
        _greeting = args.Get("greeting");
    }

    public void Serve(SafeFd socket, CancellationToken stop)
    {
        if (_greeting is not null)
        {
            UnixSocket.SendAll(socket, global::System.Text.Encoding.UTF8.GetBytes(_greeting));
        }

        byte[] buffer = new byte[4096];
        var fds = new List<SafeFd>();
        while (true)
        {
            int n = UnixSocket.Receive(socket, buffer, fds, out _);
            foreach (SafeFd fd in fds)
            {
                fd.Dispose();
            }

            fds.Clear();
            if (n == 0)
            {
                return;
            }

            UnixSocket.SendAll(socket, buffer.AsSpan(0, n));
        }
    }
}
