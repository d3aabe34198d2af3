using Emulator.Posix;
using Emulator.VhostUser;

namespace Emulator.Chardev;

/// <summary>
/// One byte stream of one connection: the two rings the CPU process created (attached from the
/// EMU_SET_BYTE_STREAM descriptors) relayed to and from a <see cref="ChardevPort"/> by two threads.
/// Holds the port's claim until disposed.
/// </summary>
internal sealed class ByteStreamAttachment : IDisposable
{
    private readonly ChardevPort _port;
    private readonly ByteRing _toBackend;
    private readonly ByteRing _toFrontEnd;
    private readonly RingRelay _outbound;
    private readonly RingRelay _inbound;
    private bool _disposed;

    private ByteStreamAttachment(ChardevPort port, ByteRing toBackend, ByteRing toFrontEnd, Action<string> log)
    {
        _port = port;
        _toBackend = toBackend;
        _toFrontEnd = toFrontEnd;
        _outbound = new RingRelay(toBackend.CreateConsumer(), port.Output, $"stream{port.Index}-out", log);
        _inbound = new RingRelay(port.Input, toFrontEnd.CreateProducer(), $"stream{port.Index}-in", log);
    }

    /// <summary>
    /// Maps the peer's rings (taking ownership of all six descriptors, closed on failure), claims
    /// <paramref name="port"/> and starts relaying. A ring that fails validation, or a port another
    /// front-end holds, is the peer's error: <see cref="VhostUserProtocolException"/>.
    /// </summary>
    public static ByteStreamAttachment Attach(ChardevPort port, SafeFd[] fds, Action<string> log)
    {
        if (fds.Length != ByteStreamProtocol.RingFdCount)
        {
            DisposeAll(fds, 0);
            throw new VhostUserProtocolException($"EMU_SET_BYTE_STREAM carries {fds.Length} descriptors, expected {ByteStreamProtocol.RingFdCount}");
        }

        // Signalling a "wake-up" that is really a file or socket would write into it.
        foreach (int index in (ReadOnlySpan<int>)[1, 2, 4, 5])
        {
            if (!FdKind.IsEventFd(fds[index]))
            {
                DisposeAll(fds, 0);
                throw new VhostUserProtocolException($"EMU_SET_BYTE_STREAM descriptor {index} is not an eventfd");
            }
        }

        ByteRing? toBackend = null;
        ByteRing? toFrontEnd = null;
        try
        {
            toBackend = AttachRing(fds, 0);
            toFrontEnd = AttachRing(fds, 3);
            ByteStreamAttachment attachment = new(port, toBackend, toFrontEnd, log);
            if (!port.TryClaim(attachment))
            {
                throw new VhostUserProtocolException($"stream {port.Index} is in use by the virtio-console queues");
            }

            attachment._outbound.Start();
            attachment._inbound.Start();
            return attachment;
        }
        catch (ByteRingException e)
        {
            toBackend?.Dispose();
            toFrontEnd?.Dispose();
            throw new VhostUserProtocolException($"EMU_SET_BYTE_STREAM for stream {port.Index}: {e.Message}", e);
        }
        catch
        {
            toBackend?.Dispose();
            toFrontEnd?.Dispose();
            throw;
        }
    }

    /// <summary>Stops both relays, gives the port back, unmaps the peer's rings.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _outbound.Dispose();
        _inbound.Dispose();
        _port.Release(this);
        _toBackend.Dispose();
        _toFrontEnd.Dispose();
    }

    /// <summary>Attach owns fds[first..first+3] whatever happens; if it fails, the later ones are closed here.</summary>
    private static ByteRing AttachRing(SafeFd[] fds, int first)
    {
        try
        {
            return ByteRing.Attach(fds[first], fds[first + 1], fds[first + 2]);
        }
        catch
        {
            DisposeAll(fds, first + 3);
            throw;
        }
    }

    private static void DisposeAll(SafeFd[] fds, int from)
    {
        for (int i = from; i < fds.Length; i++)
        {
            fds[i].Dispose();
        }
    }
}
