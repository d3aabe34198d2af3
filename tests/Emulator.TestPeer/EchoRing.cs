using Emulator.Memory;
using Emulator.VhostUser;

namespace Emulator.TestPeer;

/// <summary>
/// A deliberately minimal split-ring processor for protocol tests (the real one lives in Emulator.Virtio):
/// every chain's readable bytes are copied into its writable buffers. Guest errors (bad head, loops,
/// unmapped buffers, indirect descriptors) mark the ring broken and signal the error eventfd.
/// </summary>
public sealed class EchoRing
{
    private const ushort FlagNext = 1;
    private const ushort FlagWrite = 2;
    private const int MaxChainBytes = 64 * 1024;

    private readonly VringSetup _setup;
    private readonly GuestMemory _memory;
    private ushort _nextAvail;
    private ushort _usedIdx;
    private bool _broken;

    public EchoRing(VringSetup setup)
    {
        _setup = setup;
        _memory = setup.Memory;
        _nextAvail = setup.NextAvail;
        _usedIdx = _memory.LoadAcquireU16(setup.UsedRing + 2);
        setup.Inflight?.Repair(_usedIdx);
    }

    public ushort NextAvail => _nextAvail;

    public long Processed { get; private set; }

    /// <summary>Drains the avail ring; true if anything was used.</summary>
    public bool Process()
    {
        if (_broken)
        {
            return false;
        }

        try
        {
            return Drain();
        }
        catch (GuestMemoryException)
        {
            Break();
            return false;
        }
    }

    private bool Drain()
    {
        ushort availIdx = _memory.LoadAcquireU16(_setup.AvailableRing + 2);
        if (availIdx == _nextAvail)
        {
            return false;
        }

        if ((ushort)(availIdx - _nextAvail) > _setup.Size)
        {
            Break();
            return false;
        }

        while (_nextAvail != availIdx)
        {
            ushort head = _memory.ReadU16(_setup.AvailableRing + 4 + (2UL * (ulong)(_nextAvail % _setup.Size)));
            if (head >= _setup.Size)
            {
                Break();
                return false;
            }

            _nextAvail++;
            _setup.Inflight?.Begin(head);
            uint written = Echo(head);
            ulong element = _setup.UsedRing + 4 + (8UL * (ulong)(_usedIdx % _setup.Size));
            _memory.Write(element, (uint)head);
            _memory.Write(element + 4, written);
            _setup.Inflight?.MarkUsed(head);
            _usedIdx++;
            Processed++;
        }

        _memory.StoreReleaseU16(_setup.UsedRing + 2, _usedIdx);
        _setup.Inflight?.Complete(_usedIdx);
        _setup.SignalCall();
        return true;
    }

    private uint Echo(ushort head)
    {
        List<byte> data = [];
        List<(ulong Address, uint Length)> writable = [];
        ushort index = head;
        for (int hops = 0; ; hops++)
        {
            if (hops >= _setup.Size || index >= _setup.Size)
            {
                throw new GuestMemoryException("descriptor chain loops or leaves the table");
            }

            ulong d = _setup.DescriptorTable + (16UL * index);
            ulong address = _memory.ReadU64(d);
            uint length = _memory.ReadU32(d + 8);
            ushort flags = _memory.ReadU16(d + 12);
            if ((flags & FlagWrite) != 0)
            {
                writable.Add((address, length));
            }
            else if (writable.Count > 0 || data.Count + (long)length > MaxChainBytes)
            {
                throw new GuestMemoryException("readable descriptor after a writable one, or chain too long");
            }
            else
            {
                byte[] chunk = new byte[length];
                _memory.Read(address, chunk);
                data.AddRange(chunk);
            }

            if ((flags & FlagNext) == 0)
            {
                break;
            }

            index = _memory.ReadU16(d + 14);
        }

        uint written = 0;
        foreach ((ulong address, uint length) in writable)
        {
            int n = (int)Math.Min(length, (uint)(data.Count - (int)written));
            _memory.Write(address, data.GetRange((int)written, n).ToArray());
            written += (uint)n;
        }

        return written;
    }

    private void Break()
    {
        _broken = true;
        _setup.SignalError();
    }
}
