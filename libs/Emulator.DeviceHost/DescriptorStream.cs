using Emulator.Posix;

namespace Emulator.DeviceHost;

/// <summary>
/// A write-only stream straight onto a file descriptor with write(2), for standard output and error
/// without <see cref="Console"/> (which sends a keypad-transmit sequence to a terminal on first use).
/// Not a FileStream: on a regular file that one writes at its own remembered offset (pwrite), and would
/// overwrite what the emulator writes to the same <c>2&gt;log</c>. A non-blocking descriptor (a terminal
/// the stdio backend shares) is waited on with poll. Write failures are <see cref="IOException"/>,
/// unless the stream drops them.
/// </summary>
public sealed class DescriptorStream : Stream
{
    private readonly SafeFd _fd;
    private readonly bool _dropWriteErrors;

    /// <param name="fd">The descriptor; not owned unless <paramref name="ownsDescriptor"/>.</param>
    /// <param name="ownsDescriptor">Close it when the stream is disposed.</param>
    /// <param name="dropWriteErrors">A failed write is dropped instead of thrown (see <see cref="StandardError"/>).</param>
    public DescriptorStream(int fd, bool ownsDescriptor = false, bool dropWriteErrors = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fd);
        _fd = new SafeFd(fd, ownsDescriptor);
        _dropWriteErrors = dropWriteErrors;
    }

    /// <summary>
    /// Descriptor 2, not owned. Best effort, as the console is: when it is closed, its reader is gone
    /// or its terminal hung up, there is nowhere to tell, and a message must not end the process.
    /// </summary>
    public static DescriptorStream StandardError() => new(2, dropWriteErrors: true);

    /// <summary>Descriptor 1, not owned, best effort like <see cref="StandardError"/>.</summary>
    public static DescriptorStream StandardOutput() => new(1, dropWriteErrors: true);

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => !_fd.IsClosed;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        Write(buffer.AsSpan(offset, count));
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_fd.IsClosed, this);
        try
        {
            Fd.WriteAll(_fd, buffer);
        }
        catch (PosixException e) when (!_dropWriteErrors)
        {
            throw new IOException($"write to descriptor {_fd.Number} failed: {e.Message}", e);
        }
        catch (PosixException)
        {
            // Dropped by request: see StandardError.
        }
    }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _fd.Dispose();
        }

        base.Dispose(disposing);
    }
}
