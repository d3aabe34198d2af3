using System.Runtime.InteropServices;
using Emulator.Posix;
using Emulator.TestPeer;
using Emulator.VhostUser;

// A vhost-user back-end in its own process for protocol tests: serves one EchoDevice connection on
// --fd N (an inherited socket) or --socket-path P (prints "ready" once listening), then exits:
// 0 after a clean hang-up, 2 after rejecting a message, 1 on bad usage.
if (args.Contains("--print-capabilities"))
{
    Console.WriteLine("{\"type\": \"test-echo\", \"features\": []}");
    return 0;
}

SafeFd? socket = PeerStartup.Connect(args);
if (socket is null)
{
    Console.Error.WriteLine("usage: Emulator.TestPeer --fd N | --socket-path PATH");
    return 1;
}

var device = new EchoDevice();
using var backend = new VhostUserBackend(socket, device, Console.Error.WriteLine);
device.ConfigChangeRequested = () => backend.SendConfigChange();
using PosixSignalRegistration term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    backend.RequestStop();
});
return backend.Run() is null ? 0 : 2;
