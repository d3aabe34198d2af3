using System.Net.Sockets;
using Emulator.Chardev;

namespace Emulator.System.Tests.EndToEnd;

[Collection(EndToEndCollection.Name)]
public sealed class FlowControlEndToEndTests
{
    private const int Total = 8 << 20;

    [Fact(Timeout = Patience.TestMs)]
    public async Task SlowSocketReaderFillsTheRingAndLosesNothing()
    {
        using var scratch = new ScratchDirectory();
        string path = scratch.File("s");
        using var server = ChardevServerHarness.Start(scratch, $"socket,id=c,path={path},server=on,wait=off");
        using Socket peer = await SocketBackendEndToEndTests.ConnectWithRetryAsync(new UnixDomainSocketEndPoint(path));
        server.Events.WaitFor(ChardevEventKind.Opened);

        var producer = new PatternProducer(server.Stream(), Total);
        Task produced = Task.Factory.StartNew(producer.Run, TaskCreationOptions.LongRunning);

        // Nobody reads the socket: every buffer on the way fills and the producer must see a full ring.
        Assert.True(producer.SawFull.Wait(Patience.Wait), "the producer never found the ring full");
        Assert.False(produced.IsCompleted, "all 8 MiB fitted without a reader");

        byte[] buffer = new byte[65536];
        long received = 0;
        while (received < Total)
        {
            int n = await peer.ReceiveAsync(buffer, SocketFlags.None).WaitAsync(Patience.Wait);
            Assert.True(n > 0, $"socket closed after {received} bytes\n{server.Log}");
            for (int i = 0; i < n; i++)
            {
                if (buffer[i] != PatternProducer.ByteAt(received + i))
                {
                    Assert.Fail($"byte {received + i} is {buffer[i]}, expected {PatternProducer.ByteAt(received + i)}");
                }
            }

            received += n;
        }

        await produced.WaitAsync(Patience.Wait);
        Assert.Equal(Total, received);
    }
}
