using Emulator.VhostUser;
using Emulator.Virtio;

namespace Emulator.Chardev;

/// <summary>
/// receiveq0: input from the backend into the guest's receive buffers. A chain is popped only when
/// input is waiting and returned with what was there (it is not held until full). With no buffer
/// posted, input stays in the port's ring, and the pump stops reading the backend once it fills.
/// </summary>
internal sealed class ConsoleReceiveQueue : ConsoleQueue
{
    private const int ChunkSize = 16384;

    private readonly byte[] _buffer = new byte[ChunkSize];
    private readonly EventWaker? _waker;

    public ConsoleReceiveQueue(VringSetup setup, ChardevPort? port, Action<string> log)
        : base(setup, port, log, "console-rx")
    {
        if (port is not null)
        {
            _waker = new EventWaker(port.Input.Ring.DataAvailable, Wake, "console-rx-data");
        }
    }

    protected override bool Drain()
    {
        if (Port is null)
        {
            return false;
        }

        bool progressed = false;
        while (true)
        {
            if (Port.Input.Available == 0)
            {
                if (Port.Input.TryArmDataNotification())
                {
                    return progressed;
                }

                continue;
            }

            if (!TryPop(out DescriptorChain? chain))
            {
                return progressed;
            }

            DescriptorChainWriter writer = chain.Writer;
            while (writer.Remaining > 0)
            {
                int n = Port.Input.Read(_buffer.AsSpan(0, (int)Math.Min(writer.Remaining, (ulong)_buffer.Length)));
                if (n == 0)
                {
                    break;
                }

                writer.Write(_buffer.AsSpan(0, n));
            }

            Complete(chain.HeadIndex, writer.BytesWritten);
            progressed = true;
        }
    }

    protected override void StopWaiting()
    {
        _waker?.Dispose();
        Port?.Input.DisarmDataNotification();
    }
}
