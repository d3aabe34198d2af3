using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using Emulator.Chardev;
using Emulator.Memory;
using Emulator.Posix;
using Emulator.VhostUser;
using Emulator.Virtio;

namespace Emulator.System.Tests.EndToEnd;

/// <summary>
/// virtio-console through a real <c>emu-chardev</c>: the test is the driver (<see cref="MockSplitQueue"/>
/// rings in a memfd shared with SET_MEM_TABLE), the server maps guest RAM and serves the queues.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class VirtioConsoleEndToEndTests
{
    [Fact(Timeout = Patience.TestMs)]
    public async Task TransmitQueueBytesReachTheFileBackend()
    {
        await Task.Yield();
        using var scratch = new ScratchDirectory();
        using GuestMemory memory = GuestMemory.Create((0, 4UL << 20));
        using var server = ChardevServerHarness.Start(scratch, $"file,id=c,path={scratch.File("out")}", streams: 0, memory: memory);
        using var console = new ConsoleDriver(server, memory);

        byte[] config = console.Config;
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(config.AsSpan(4)));

        console.Transmit.AddChain([Encoding.ASCII.GetBytes("virtio "), Encoding.ASCII.GetBytes("says hi\n")], []);
        console.TransmitKick.Signal();
        (ushort _, uint length) = console.WaitForUsed(console.Transmit, console.TransmitCall);
        Assert.Equal(0u, length);

        DateTime giveUp = DateTime.UtcNow + Patience.Wait;
        while (scratch.Read("out") != "virtio says hi\n")
        {
            Assert.True(DateTime.UtcNow < giveUp, $"file holds '{scratch.Read("out")}'\n{server.Log}");
            Thread.Sleep(10);
        }
    }

    [Fact(Timeout = Patience.TestMs)]
    public async Task SocketInputFillsReceiveQueueBuffers()
    {
        using var scratch = new ScratchDirectory();
        using GuestMemory memory = GuestMemory.Create((0, 4UL << 20));
        string path = scratch.File("s");
        using var server = ChardevServerHarness.Start(scratch, $"socket,id=c,path={path},server=on,wait=off", streams: 0, memory: memory);
        using var console = new ConsoleDriver(server, memory);
        MockChain buffer = console.Receive.AddChain([], [64]);
        console.ReceiveKick.Signal();

        using Socket peer = await SocketBackendEndToEndTests.ConnectWithRetryAsync(new UnixDomainSocketEndPoint(path));
        await peer.SendAsync(Encoding.ASCII.GetBytes("keyboard"), SocketFlags.None);

        (ushort head, uint length) = console.WaitForUsed(console.Receive, console.ReceiveCall);
        Assert.Equal(buffer.Head, head);
        Assert.Equal("keyboard", Encoding.ASCII.GetString(console.Receive.ReadWritten(buffer, length)));
    }

    [Fact(Timeout = Patience.TestMs)]
    public async Task HostileTransmitChainStopsOnlyThatRing()
    {
        using var scratch = new ScratchDirectory();
        using GuestMemory memory = GuestMemory.Create((0, 4UL << 20));
        string path = scratch.File("s");
        using var server = ChardevServerHarness.Start(scratch, $"socket,id=c,path={path},server=on,wait=off", streams: 0, memory: memory);
        using var console = new ConsoleDriver(server, memory);

        // A buffer far outside guest RAM.
        console.Transmit.WriteDescriptor(0, 0xffff_0000_0000, 16, 0, 0);
        console.Transmit.PublishAvail(0);
        console.TransmitKick.Signal();
        WaitForLog(server, "guest error, ring stopped");

        MockChain buffer = console.Receive.AddChain([], [16]);
        console.ReceiveKick.Signal();
        using Socket peer = await SocketBackendEndToEndTests.ConnectWithRetryAsync(new UnixDomainSocketEndPoint(path));
        await peer.SendAsync(Encoding.ASCII.GetBytes("still here"), SocketFlags.None);
        (ushort _, uint length) = console.WaitForUsed(console.Receive, console.ReceiveCall);
        Assert.Equal("still here", Encoding.ASCII.GetString(console.Receive.ReadWritten(buffer, length)));
        Assert.False(server.Server.HasEnded);
    }

    [Fact(Timeout = Patience.TestMs)]
    public async Task InflightTransmitChainIsResubmittedAndItsBytesWrittenAtStart()
    {
        await Task.Yield();
        using var scratch = new ScratchDirectory();
        using GuestMemory memory = GuestMemory.Create((0, 4UL << 20));
        using var server = ChardevServerHarness.Start(scratch, $"file,id=c,path={scratch.File("out")}", streams: 0, memory: memory);
        InflightRegion? log = null;

        // As after a crash: one transmit chain was popped (base 1) and is still logged in flight.
        var leftover = new MockSplitQueue(memory, ConsoleDriver.TransmitBase, ConsoleDriver.QueueSize);
        MockChain pending = leftover.AddChain([Encoding.ASCII.GetBytes("pend"), Encoding.ASCII.GetBytes("ing ")], []);
        using var console = new ConsoleDriver(server, memory, f =>
        {
            (SafeFd fd, InflightDescription description) = f.GetInflightFd(VirtioConsoleLayout.QueueCount, ConsoleDriver.QueueSize);
            log = InflightRegion.FromFd(Fd.Duplicate(fd), description);
            log.Queues[VirtioConsoleLayout.TransmitQueue].Begin(pending.Head);
            f.SetInflightFd(fd, description);
            fd.Dispose();
        }, transmitBase: 1, transmit: leftover);
        using InflightRegion region = log ?? throw new InvalidOperationException("no in-flight buffer");
        InflightQueue transmit = region.Queues[VirtioConsoleLayout.TransmitQueue];

        (ushort head, uint length) = console.WaitForUsed(console.Transmit, console.TransmitCall);
        Assert.Equal((pending.Head, 0u), (head, length));
        Assert.False(transmit.IsInflight(pending.Head));
        Assert.Equal("pending ", WaitForFile(scratch, "out", "pending ", server));

        console.Transmit.AddChain([Encoding.ASCII.GetBytes("kept")], []);
        console.TransmitKick.Signal();
        console.WaitForUsed(console.Transmit, console.TransmitCall);
        Assert.Equal(2, transmit.UsedIdx);
        Assert.Equal("pending kept", WaitForFile(scratch, "out", "pending kept", server));
        Assert.Contains("console-tx: resubmitting 1 chain(s) left in flight", server.Log, StringComparison.Ordinal);
    }

    [Fact(Timeout = Patience.TestMs)]
    public async Task InflightReceiveChainIsFilledWhenInputComes()
    {
        using var scratch = new ScratchDirectory();
        using GuestMemory memory = GuestMemory.Create((0, 4UL << 20));
        string path = scratch.File("s");
        using var server = ChardevServerHarness.Start(scratch, $"socket,id=c,path={path},server=on,wait=off", streams: 0, memory: memory);
        InflightRegion? log = null;

        // As after a crash: a receive buffer was popped (base 1) and is logged in flight, unfilled.
        var leftover = new MockSplitQueue(memory, ConsoleDriver.ReceiveBase, ConsoleDriver.QueueSize);
        MockChain pending = leftover.AddChain([], [32]);
        using var console = new ConsoleDriver(server, memory, f =>
        {
            (SafeFd fd, InflightDescription description) = f.GetInflightFd(VirtioConsoleLayout.QueueCount, ConsoleDriver.QueueSize);
            log = InflightRegion.FromFd(Fd.Duplicate(fd), description);
            log.Queues[VirtioConsoleLayout.ReceiveQueue].Begin(pending.Head);
            f.SetInflightFd(fd, description);
            fd.Dispose();
        }, receiveBase: 1, receive: leftover);
        using InflightRegion region = log ?? throw new InvalidOperationException("no in-flight buffer");

        using Socket peer = await SocketBackendEndToEndTests.ConnectWithRetryAsync(new UnixDomainSocketEndPoint(path));
        await peer.SendAsync(Encoding.ASCII.GetBytes("typed"), SocketFlags.None);

        (ushort head, uint length) = console.WaitForUsed(console.Receive, console.ReceiveCall);
        Assert.Equal(pending.Head, head);
        Assert.Equal("typed", Encoding.ASCII.GetString(console.Receive.ReadWritten(pending, length)));
        Assert.False(region.Queues[VirtioConsoleLayout.ReceiveQueue].IsInflight(pending.Head));
    }

    [Fact(Timeout = Patience.TestMs)]
    public async Task TransmitChainsWaitForASlowBackendAndArriveInOrder()
    {
        const int Chains = 12;
        const int ChainBytes = 128 * 1024;
        using var scratch = new ScratchDirectory();
        using GuestMemory memory = GuestMemory.Create((0, 4UL << 20));
        string path = scratch.File("s");
        using var server = ChardevServerHarness.Start(scratch, $"socket,id=c,path={path},server=on,wait=off", streams: 0, memory: memory);
        using var console = new ConsoleDriver(server, memory);
        using Socket peer = await SocketBackendEndToEndTests.ConnectWithRetryAsync(new UnixDomainSocketEndPoint(path));
        server.Events.WaitFor(ChardevEventKind.Opened);

        for (int c = 0; c < Chains; c++)
        {
            byte[] data = new byte[ChainBytes];
            for (int i = 0; i < data.Length; i++)
            {
                data[i] = PatternProducer.ByteAt(((long)c * ChainBytes) + i);
            }

            console.Transmit.AddChain([data], []);
        }

        console.TransmitKick.Signal();

        // 1.5 MiB cannot fit the socket and the port ring while nobody reads: the first chains go
        // through, the rest must wait.
        console.WaitForUsed(console.Transmit, console.TransmitCall);
        int used = 1;
        while (console.Transmit.TryGetUsed(out _, out _))
        {
            used++;
        }

        Assert.True(used < Chains, "every chain was taken although the backend could not accept them");

        byte[] buffer = new byte[65536];
        long received = 0;
        while (received < (long)Chains * ChainBytes)
        {
            int n = await peer.ReceiveAsync(buffer, SocketFlags.None).WaitAsync(Patience.Wait);
            Assert.True(n > 0, $"closed after {received} bytes\n{server.Log}");
            for (int i = 0; i < n; i++)
            {
                Assert.True(buffer[i] == PatternProducer.ByteAt(received + i), $"byte {received + i} is wrong");
            }

            received += n;
        }

        while (used < Chains)
        {
            console.WaitForUsed(console.Transmit, console.TransmitCall);
            used++;
        }
    }

    private static void WaitForLog(ChardevServerHarness server, string text)
    {
        DateTime giveUp = DateTime.UtcNow + Patience.Wait;
        while (!server.Log.Contains(text, StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < giveUp, $"server never logged '{text}':\n{server.Log}");
            Thread.Sleep(10);
        }
    }

    private static string WaitForFile(ScratchDirectory scratch, string name, string expected, ChardevServerHarness server)
    {
        DateTime giveUp = DateTime.UtcNow + Patience.Wait;
        while (scratch.Read(name) != expected)
        {
            Assert.True(DateTime.UtcNow < giveUp, $"{name} holds '{scratch.Read(name)}'\n{server.Log}");
            Thread.Sleep(10);
        }

        return scratch.Read(name);
    }
}
