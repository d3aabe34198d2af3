using Emulator.VhostUser;
using Emulator.Virtio;

namespace Emulator.Chardev;

/// <summary>
/// transmitq0: guest output into the port's ring toward the backend. A chain is returned once all
/// of it has been taken; when the ring is full the rest of the chain waits (the pump drains the ring
/// as fast as the backend accepts), so a slow backend slows the guest instead of losing bytes.
/// </summary>
internal sealed class ConsoleTransmitQueue : ConsoleQueue
{
    private const int ChunkSize = 16384;

    private readonly byte[] _buffer = new byte[ChunkSize];
    private readonly EventWaker? _waker;
    private DescriptorChain? _current;

    public ConsoleTransmitQueue(VringSetup setup, ChardevPort? port, Action<string> log)
        : base(setup, port, log, "console-tx")
    {
        if (port is not null)
        {
            _waker = new EventWaker(port.Output.Ring.SpaceAvailable, Wake, "console-tx-space");
        }
    }

    protected override bool Drain()
    {
        bool progressed = false;
        while (true)
        {
            if (_current is null && !TryPop(out _current))
            {
                return progressed;
            }

            DescriptorChainReader reader = _current.Reader;
            while (reader.Remaining > 0)
            {
                if (Port is null)
                {
                    reader.Skip(reader.Remaining);
                    break;
                }

                int room = Port.Output.FreeSpace;
                if (room == 0)
                {
                    if (Port.Output.TryArmSpaceNotification())
                    {
                        return progressed;
                    }

                    continue;
                }

                int n = reader.Read(_buffer.AsSpan(0, Math.Min(room, _buffer.Length)));
                Port.Output.TryWrite(_buffer.AsSpan(0, n));
                progressed = true;
            }

            Complete(_current.HeadIndex, 0);
            _current = null;
            progressed = true;
        }
    }

    /// <summary>A chain parked on a full ring goes back with what was taken; the rest of it is dropped.</summary>
    protected override void ReturnParked()
    {
        if (_current is not null)
        {
            Complete(_current.HeadIndex, 0);
            _current = null;
        }
    }

    protected override void StopWaiting()
    {
        _waker?.Dispose();
        Port?.Output.DisarmSpaceNotification();
    }
}
