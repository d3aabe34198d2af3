using Emulator.Chardev;
using Emulator.Posix;
using Emulator.VhostUser;

namespace Emulator.System.Tests.EndToEnd;

/// <summary>The server does not trust the CPU process either: bad byte-stream requests end the session, not the server's sanity.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class HostileFrontEndEndToEndTests
{
    [Fact(Timeout = Patience.TestMs)]
    public async Task FilesPassedAsEventFdsAreRefused()
    {
        await Task.Yield();
        using var scratch = new ScratchDirectory();
        using var server = ChardevServerHarness.Start(scratch, "null,id=c", streams: 0);
        using ByteRing ring = ByteRing.Create(4096);
        using SafeFd file = PosixFile.Open(scratch.File("not-an-eventfd"), OpenFlags.ReadWrite | OpenFlags.Create | OpenFlags.CloseOnExec);
        int[] fds = [ring.Memory.Number, file.Number, ring.SpaceAvailable.Handle.Number, ring.Memory.Number, ring.DataAvailable.Handle.Number, ring.SpaceAvailable.Handle.Number];

        Assert.Throws<VhostUserProtocolException>(() => server.Client.UseFrontend(f =>
            f.SendRequest(ByteStreamProtocol.SetByteStream, new ByteStreamRequest(0, 0).ToArray(), fds)));
        Assert.Equal(1, server.WaitForExit());
        Assert.Contains("descriptor 1 is not an eventfd", server.Log, StringComparison.Ordinal);
    }

    [Fact(Timeout = Patience.TestMs)]
    public async Task StreamsBeyondTheFrontEndCountAreRefused()
    {
        await Task.Yield();
        using var scratch = new ScratchDirectory();
        using var server = ChardevServerHarness.Start(scratch, "null,id=c", streams: 0);
        using ByteRing toBackend = ByteRing.Create(4096);
        using ByteRing toFrontEnd = ByteRing.Create(4096);
        int[] fds =
        [
            toBackend.Memory.Number, toBackend.DataAvailable.Handle.Number, toBackend.SpaceAvailable.Handle.Number,
            toFrontEnd.Memory.Number, toFrontEnd.DataAvailable.Handle.Number, toFrontEnd.SpaceAvailable.Handle.Number,
        ];

        Assert.Throws<VhostUserProtocolException>(() => server.Client.UseFrontend(f =>
            f.SendRequest(ByteStreamProtocol.SetByteStream, new ByteStreamRequest(1, 0).ToArray(), fds)));
        Assert.Equal(1, server.WaitForExit());
        Assert.Contains("has 1 front-end(s)", server.Log, StringComparison.Ordinal);
    }
}
