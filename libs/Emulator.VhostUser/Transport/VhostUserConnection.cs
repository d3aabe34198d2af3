using System.Diagnostics;
using Emulator.Posix;

namespace Emulator.VhostUser;

/// <summary>
/// Message framing over a connected AF_UNIX stream socket. Descriptors ride with the header (SCM_RIGHTS);
/// the payload size is checked before the payload is read, and the payload is read exactly. Socket
/// errors, hang-up mid-message and timeouts all surface as <see cref="VhostUserProtocolException"/>.
/// </summary>
public sealed class VhostUserConnection : IDisposable
{
    public VhostUserConnection(SafeFd socket)
    {
        Socket = socket;
    }

    public SafeFd Socket { get; }

    /// <summary>
    /// How long a send may wait for room in the socket (-1: forever). A peer that stops reading its
    /// replies must not wedge this side: messages are at most 4 KiB, and POLLOUT on a unix socket means
    /// at least three quarters of the send buffer is free, so a send after POLLOUT never blocks.
    /// </summary>
    public int SendTimeoutMs { get; set; } = -1;

    /// <summary>
    /// Receives one message. Returns null when the peer hung up cleanly between messages.
    /// <paramref name="timeoutMs"/> bounds the whole message (-1: wait forever); <paramref name="checkHeader"/>
    /// runs before the payload is read and may throw to refuse it.
    /// </summary>
    public VhostUserMessage? Receive(int timeoutMs, Action<VhostUserHeader>? checkHeader = null)
    {
        List<SafeFd> fds = [];
        try
        {
            long deadline = timeoutMs < 0 ? long.MaxValue : Stopwatch.GetTimestamp() + (timeoutMs * Stopwatch.Frequency / 1000);
            Span<byte> headerBytes = stackalloc byte[VhostUserHeader.Length];
            int got = ReadExactly(headerBytes, fds, deadline, allowCleanEof: true);
            if (got == 0)
            {
                return null;
            }

            VhostUserHeader header = VhostUserHeader.Parse(headerBytes);
            if (header.Size > VhostUserLimits.MaxPayloadSize)
            {
                throw new VhostUserProtocolException($"{header}: payload of {header.Size} bytes exceeds {VhostUserLimits.MaxPayloadSize}");
            }

            checkHeader?.Invoke(header);
            byte[] payload = header.Size == 0 ? [] : new byte[header.Size];
            ReadExactly(payload, fds, deadline, allowCleanEof: false);
            var message = new VhostUserMessage(header, payload, fds);
            fds.Clear();
            return message;
        }
        finally
        {
            foreach (SafeFd fd in fds)
            {
                fd.Dispose();
            }
        }
    }

    /// <summary>Sends header and payload in one write, with <paramref name="fds"/> attached.</summary>
    public void Send(VhostUserHeader header, ReadOnlySpan<byte> payload, ReadOnlySpan<int> fds = default)
    {
        if (header.Size != (uint)payload.Length)
        {
            throw new ArgumentException($"header size {header.Size} does not match the {payload.Length}-byte payload", nameof(header));
        }

        byte[] buffer = new byte[VhostUserHeader.Length + payload.Length];
        header.Write(buffer);
        payload.CopyTo(buffer.AsSpan(VhostUserHeader.Length));
        try
        {
            if (SendTimeoutMs >= 0 && Poller.WaitOne(Socket, PollEvents.Out, SendTimeoutMs) == 0)
            {
                throw new VhostUserProtocolException($"timed out sending {header}: the peer is not reading");
            }

            UnixSocket.SendAll(Socket, buffer, fds);
        }
        catch (PosixException e)
        {
            throw new VhostUserProtocolException($"sending {header} failed: {e.Message}", e);
        }
    }

    public void SendRequest(uint request, ReadOnlySpan<byte> payload, bool needReply = false, ReadOnlySpan<int> fds = default) =>
        Send(VhostUserHeader.ForRequest(request, payload.Length, needReply), payload, fds);

    public void SendReply(uint request, ReadOnlySpan<byte> payload, ReadOnlySpan<int> fds = default) =>
        Send(VhostUserHeader.ForReply(request, payload.Length), payload, fds);

    public void Dispose() => Socket.Dispose();

    /// <summary>Fills <paramref name="buffer"/>; returns 0 only for a clean hang-up before the first byte.</summary>
    private int ReadExactly(Span<byte> buffer, List<SafeFd> fds, long deadline, bool allowCleanEof)
    {
        int got = 0;
        while (got < buffer.Length)
        {
            WaitReadable(deadline);
            int n;
            bool truncated;
            try
            {
                n = UnixSocket.Receive(Socket, buffer[got..], fds, out truncated);
            }
            catch (PosixException e)
            {
                throw new VhostUserProtocolException($"receive failed: {e.Message}", e);
            }

            if (truncated)
            {
                throw new VhostUserProtocolException($"peer sent more than {UnixSocket.MaxFdsPerMessage} file descriptors");
            }

            if (n == 0)
            {
                if (got == 0 && allowCleanEof && fds.Count == 0)
                {
                    return 0;
                }

                throw new VhostUserProtocolException("peer hung up in the middle of a message");
            }

            got += n;
        }

        return got;
    }

    private void WaitReadable(long deadline)
    {
        if (deadline == long.MaxValue)
        {
            return;
        }

        long remaining = deadline - Stopwatch.GetTimestamp();
        int ms = remaining <= 0 ? 0 : (int)Math.Min(int.MaxValue, (remaining * 1000 / Stopwatch.Frequency) + 1);
        if (Poller.WaitOne(Socket, PollEvents.In, ms) == 0)
        {
            throw new VhostUserProtocolException("timed out waiting for the peer's message");
        }
    }
}
