using Emulator.Chardev;
using Emulator.Memory;
using Emulator.Posix;
using Emulator.VhostUser;
using Emulator.Virtio;

namespace Emulator.System.Tests.EndToEnd;

/// <summary>The driver side: both queues configured through the client's connection.</summary>
internal sealed class ConsoleDriver : IDisposable
{
    public const ushort QueueSize = 64;

    public const ulong ReceiveBase = 0x10000;

    public const ulong TransmitBase = 0x200000;

    /// <param name="server">The connected server.</param>
    /// <param name="memory">Guest RAM, already shared with the server.</param>
    /// <param name="beforeQueues">Requests to send before the queues are set up (the in-flight buffer, say).</param>
    /// <param name="transmitBase">transmitq's next avail index (as after a reconnect).</param>
    /// <param name="transmit">transmitq's driver side when the test prepared it (else a fresh one).</param>
    /// <param name="receiveBase">receiveq's next avail index.</param>
    /// <param name="receive">receiveq's driver side when the test prepared it (else a fresh one).</param>
    public ConsoleDriver(
        ChardevServerHarness server,
        GuestMemory memory,
        Action<VhostUserFrontend>? beforeQueues = null,
        ushort transmitBase = 0,
        MockSplitQueue? transmit = null,
        ushort receiveBase = 0,
        MockSplitQueue? receive = null)
    {
        Server = server;
        Receive = receive ?? new MockSplitQueue(memory, ReceiveBase, QueueSize);
        Transmit = transmit ?? new MockSplitQueue(memory, TransmitBase, QueueSize);
        byte[]? config = null;
        server.Client.UseFrontend(f =>
        {
            config = f.GetConfig(0, VirtioConsoleLayout.ConfigSize);
            beforeQueues?.Invoke(f);
            f.ConfigureQueue(VirtioConsoleLayout.ReceiveQueue, memory, QueueSize, Receive.DescTable, Receive.AvailRing, Receive.UsedRing, ReceiveKick, ReceiveCall, receiveBase);
            f.ConfigureQueue(VirtioConsoleLayout.TransmitQueue, memory, QueueSize, Transmit.DescTable, Transmit.AvailRing, Transmit.UsedRing, TransmitKick, TransmitCall, transmitBase);
        });
        Config = config ?? throw new InvalidOperationException("no config read");
    }

    public ChardevServerHarness Server { get; }

    public byte[] Config { get; }

    public MockSplitQueue Receive { get; }

    public MockSplitQueue Transmit { get; }

    public EventFd ReceiveKick { get; } = new();

    public EventFd ReceiveCall { get; } = new();

    public EventFd TransmitKick { get; } = new();

    public EventFd TransmitCall { get; } = new();

    public (ushort Head, uint Length) WaitForUsed(MockSplitQueue queue, EventFd call)
    {
        DateTime giveUp = DateTime.UtcNow + Patience.Wait;
        while (true)
        {
            if (queue.TryGetUsed(out ushort head, out uint length))
            {
                return (head, length);
            }

            Assert.True(DateTime.UtcNow < giveUp, $"no used buffer\n{Server.Log}");
            call.Wait(100);
            call.TryConsume(out _);
        }
    }

    public void Dispose()
    {
        ReceiveKick.Dispose();
        ReceiveCall.Dispose();
        TransmitKick.Dispose();
        TransmitCall.Dispose();
    }
}
