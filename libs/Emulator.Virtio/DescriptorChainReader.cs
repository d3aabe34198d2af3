using System.Runtime.InteropServices;

namespace Emulator.Virtio;

/// <summary>
/// Reads the device-readable buffers of a chain as one byte stream, so devices never index
/// descriptors. Data is copied out of guest memory: validate the copy, never the guest's bytes.
/// </summary>
public sealed class DescriptorChainReader
{
    private readonly BufferCursor _cursor;

    internal DescriptorChainReader(BufferCursor cursor) => _cursor = cursor;

    /// <summary>Readable bytes not yet consumed.</summary>
    public ulong Remaining => _cursor.Remaining;

    /// <summary>Bytes consumed so far, by reads and skips.</summary>
    public uint BytesRead { get; private set; }

    /// <summary>Reads up to destination.Length bytes; returns how many (0 at the end).</summary>
    public int Read(Span<byte> destination)
    {
        int n = _cursor.CopyOut(destination);
        BytesRead += (uint)n;
        return n;
    }

    /// <summary>Fills destination, or throws without consuming anything if the chain is too short.</summary>
    public void ReadExactly(Span<byte> destination)
    {
        Require((ulong)destination.Length);
        Read(destination);
    }

    /// <summary>Reads a little-endian fixed-layout structure (a request header).</summary>
    public T ReadObject<T>()
        where T : unmanaged
    {
        T value = default;
        ReadExactly(MemoryMarshal.AsBytes(new Span<T>(ref value)));
        return value;
    }

    public void Skip(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Skip((ulong)count);
    }

    /// <summary>Consumes count bytes without copying them, or throws without consuming anything.</summary>
    public void Skip(ulong count)
    {
        Require(count);
        _cursor.Skip(count);
        BytesRead += (uint)count;
    }

    private void Require(ulong count)
    {
        if (count > Remaining)
        {
            throw new VirtqueueException($"request needs {count} more readable bytes, but the chain has only {Remaining} left");
        }
    }
}
