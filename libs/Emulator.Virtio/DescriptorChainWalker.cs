using Emulator.Memory;

namespace Emulator.Virtio;

/// <summary>
/// Walks a descriptor chain once, copying each descriptor out of guest memory and validating the
/// copy before following it (virtio 1.2, 2.7.5). Every check assumes a hostile guest:
/// hop limits stop loops, indexes are bounded by their table, ranges use checked arithmetic.
/// </summary>
internal static class DescriptorChainWalker
{
    /// <summary>Total chain bytes must fit the 32-bit <c>len</c> of a used element.</summary>
    private const ulong MaxChainBytes = uint.MaxValue;

    /// <summary>
    /// <c>next</c> is 16 bits, so entries past 65536 are unreachable; a longer table only
    /// serves to make us walk further.
    /// </summary>
    private const uint MaxIndirectEntries = 65536;

    public static DescriptorChain Walk(GuestMemory memory, ulong descTable, ushort queueSize, ushort head, IGuestWriteLog? log = null)
    {
        if (head >= queueSize)
        {
            throw new VirtqueueException($"available ring names head descriptor {head}, but the queue has only {queueSize}");
        }

        List<Descriptor> buffers = [];
        int readableCount = 0;
        ulong readableBytes = 0;
        ulong writableBytes = 0;

        ulong table = descTable;
        uint tableEntries = queueSize;
        bool inIndirect = false;
        uint index = head;
        uint hops = 0;

        while (true)
        {
            if (++hops > tableEntries)
            {
                throw new VirtqueueException(inIndirect
                    ? $"indirect descriptor chain is longer than its table's {tableEntries} entries (a loop)"
                    : $"descriptor chain is longer than the queue size {tableEntries} (a loop)");
            }

            // index < tableEntries and the table was checked to lie in RAM, so this cannot overflow.
            RawDescriptor d = RawDescriptor.Read(memory, table + (index * SplitRingLayout.DescriptorSize));

            if (d.Has(DescriptorFlags.Indirect))
            {
                // The WRITE flag of a descriptor naming a table is ignored, as the spec requires.
                tableEntries = CheckIndirectTable(memory, d, inIndirect);
                table = d.Address;
                inIndirect = true;
                index = 0;
                hops = 0;
                continue;
            }

            Descriptor buffer = CheckBuffer(memory, d, writableBytes != 0);
            if (buffer.IsWritable)
            {
                writableBytes += buffer.Length;
            }
            else
            {
                readableBytes += buffer.Length;
                readableCount++;
            }

            if (readableBytes + writableBytes > MaxChainBytes)
            {
                throw new VirtqueueException($"descriptor chain totals more than 0x{MaxChainBytes:x} bytes");
            }

            buffers.Add(buffer);

            if (!d.Has(DescriptorFlags.Next))
            {
                break;
            }

            if (d.Next >= tableEntries)
            {
                throw new VirtqueueException(inIndirect
                    ? $"indirect descriptor {index} links to entry {d.Next}, past the table's {tableEntries} entries"
                    : $"descriptor {index} links to descriptor {d.Next}, past the queue size {tableEntries}");
            }

            index = d.Next;
        }

        return new DescriptorChain(memory, head, [.. buffers], readableCount, (uint)readableBytes, (uint)writableBytes, log);
    }

    /// <summary>Validates a descriptor that names an indirect table; returns the table's entry count.</summary>
    private static uint CheckIndirectTable(GuestMemory memory, RawDescriptor d, bool inIndirect)
    {
        if (inIndirect)
        {
            throw new VirtqueueException("indirect descriptor table contains another indirect descriptor (nesting is forbidden)");
        }

        if (d.Has(DescriptorFlags.Next))
        {
            throw new VirtqueueException("descriptor sets both INDIRECT and NEXT");
        }

        if (d.Length == 0 || d.Length % SplitRingLayout.DescriptorSize != 0)
        {
            throw new VirtqueueException($"indirect descriptor table length {d.Length} is not a non-zero multiple of 16");
        }

        uint entries = (uint)(d.Length / SplitRingLayout.DescriptorSize);
        if (entries > MaxIndirectEntries)
        {
            throw new VirtqueueException($"indirect descriptor table has {entries} entries, more than {MaxIndirectEntries}");
        }

        if (!memory.IsValidRange(d.Address, d.Length))
        {
            throw new VirtqueueException($"indirect descriptor table [0x{d.Address:x}, +0x{d.Length:x}) is not in guest RAM");
        }

        return entries;
    }

    private static Descriptor CheckBuffer(GuestMemory memory, RawDescriptor d, bool afterWritable)
    {
        if (d.Length == 0)
        {
            throw new VirtqueueException($"descriptor buffer at 0x{d.Address:x} has zero length");
        }

        if (!memory.IsValidRange(d.Address, d.Length))
        {
            throw new VirtqueueException($"descriptor buffer [0x{d.Address:x}, +0x{d.Length:x}) is not in guest RAM");
        }

        bool writable = d.Has(DescriptorFlags.Write);
        if (!writable && afterWritable)
        {
            throw new VirtqueueException($"device-readable buffer at 0x{d.Address:x} follows a device-writable one");
        }

        return new Descriptor(d.Address, d.Length, writable);
    }
}
