using Emulator.Block;

namespace Emulator.VirtioBlock.Tests;

/// <summary>
/// An in-memory disk that records what the device asked of it. "Stable" holds what a flush made
/// durable, so a test can tell acknowledged-and-flushed data from data still in the "cache". A call
/// outside the disk is recorded (and thrown, as the interface says) so tests can assert it never happens.
/// </summary>
internal sealed class MemoryBlockImage : IBlockImage
{
    private readonly Lock _lock = new();
    private readonly byte[] _data;
    private readonly byte[] _stable;

    public MemoryBlockImage(ulong size, bool readOnly = false)
    {
        _data = new byte[size];
        _stable = new byte[size];
        ReadOnly = readOnly;
    }

    public ulong Size => (ulong)_data.LongLength;

    public bool ReadOnly { get; }

    public int Flushes { get; private set; }

    public int OutOfRangeCalls { get; private set; }

    public List<string> Calls { get; } = [];

    /// <summary>When set, every call fails as a broken host file would.</summary>
    public bool FailAll { get; set; }

    public byte[] Snapshot()
    {
        lock (_lock)
        {
            return (byte[])_data.Clone();
        }
    }

    public byte[] StableSnapshot()
    {
        lock (_lock)
        {
            return (byte[])_stable.Clone();
        }
    }

    public void Read(ulong offset, Span<byte> destination)
    {
        lock (_lock)
        {
            Check("read", offset, (ulong)destination.Length, false);
            _data.AsSpan((int)offset, destination.Length).CopyTo(destination);
        }
    }

    public void Write(ulong offset, ReadOnlySpan<byte> source)
    {
        lock (_lock)
        {
            Check("write", offset, (ulong)source.Length, true);
            source.CopyTo(_data.AsSpan((int)offset));
        }
    }

    public void Flush()
    {
        lock (_lock)
        {
            Calls.Add("flush");
            if (FailAll)
            {
                throw new BlockImageException("injected flush failure");
            }

            _data.CopyTo(_stable, 0);
            Flushes++;
        }
    }

    public void Discard(ulong offset, ulong length)
    {
        lock (_lock)
        {
            Check("discard", offset, length, true);
            _data.AsSpan((int)offset, (int)length).Fill(0xDD);
        }
    }

    public void WriteZeroes(ulong offset, ulong length, bool mayUnmap)
    {
        lock (_lock)
        {
            Check(mayUnmap ? "write-zeroes-unmap" : "write-zeroes", offset, length, true);
            _data.AsSpan((int)offset, (int)length).Clear();
        }
    }

    public void Dispose()
    {
    }

    private void Check(string what, ulong offset, ulong length, bool writes)
    {
        Calls.Add($"{what} {offset} {length}");
        if (offset > Size || length > Size - offset)
        {
            OutOfRangeCalls++;
            throw new ArgumentOutOfRangeException(nameof(offset), $"{what} [{offset}, +{length}) outside a {Size}-byte disk");
        }

        if (FailAll)
        {
            throw new BlockImageException($"injected {what} failure");
        }

        if (writes && ReadOnly)
        {
            throw new BlockImageException("read-only image");
        }
    }
}
