using System.Runtime.InteropServices;

namespace Emulator.Virtio;

/// <summary>
/// Writes the device-writable buffers of a chain as one byte stream. <see cref="BytesWritten"/>
/// is the <c>len</c> to give <see cref="SplitQueue.AddUsed"/> (plus any split-off writer's).
/// </summary>
public sealed class DescriptorChainWriter
{
    private readonly BufferCursor _cursor;

    internal DescriptorChainWriter(BufferCursor cursor) => _cursor = cursor;

    /// <summary>Writable bytes not yet written.</summary>
    public ulong Remaining => _cursor.Remaining;

    /// <summary>Bytes written through this writer (not counting a writer split off it).</summary>
    public uint BytesWritten { get; private set; }

    /// <summary>Writes all of source, or throws without writing anything if it does not fit.</summary>
    public void Write(ReadOnlySpan<byte> source)
    {
        if ((ulong)source.Length > Remaining)
        {
            throw new VirtqueueException($"reply of {source.Length} bytes does not fit the {Remaining} writable bytes left in the chain");
        }

        _cursor.CopyIn(source);
        BytesWritten += (uint)source.Length;
    }

    /// <summary>Writes a fixed-layout structure (a reply header or status).</summary>
    public void WriteObject<T>(in T value)
        where T : unmanaged => Write(MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in value)));

    /// <summary>
    /// Takes the last count writable bytes away from this writer and returns a writer for them
    /// (the virtio-blk status byte), or throws if fewer than count bytes remain.
    /// </summary>
    public DescriptorChainWriter SplitAtEnd(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if ((ulong)count > Remaining)
        {
            throw new VirtqueueException($"request needs a {count}-byte trailer, but the chain has only {Remaining} writable bytes left");
        }

        return new DescriptorChainWriter(_cursor.SplitAtEnd((ulong)count));
    }
}
