using System.Buffers.Binary;
using Emulator.Memory;
using Emulator.Virtio;

namespace Emulator.VirtioBlock;

/// <summary>
/// Where to put IOERR for a chain the strict walker rejected (a buffer outside RAM, a readable buffer
/// after a writable one, a zero length): follows the chain's links with the same hop and index limits,
/// without judging the buffers, and returns the last byte of its last descriptor if that one is
/// device-writable and in RAM. Null when even that cannot be found (a loop, a link out of the table, a
/// bad indirect table): then the ring is beyond repair. Every read is bounds-checked; nothing is trusted.
/// </summary>
internal static class BrokenChainStatus
{
    private const uint MaxIndirectEntries = 65536;

    public static ulong? Find(GuestMemory memory, ulong descTable, ushort queueSize, ushort head)
    {
        if (head >= queueSize)
        {
            return null;
        }

        Span<byte> raw = stackalloc byte[(int)SplitRingLayout.DescriptorSize];
        ulong table = descTable;
        uint entries = queueSize;
        uint index = head;
        bool indirect = false;
        for (uint hops = 0; hops <= entries; hops++)
        {
            if (!memory.TryRead(table + (index * SplitRingLayout.DescriptorSize), raw))
            {
                return null;
            }

            ulong address = BinaryPrimitives.ReadUInt64LittleEndian(raw);
            uint length = BinaryPrimitives.ReadUInt32LittleEndian(raw[8..]);
            ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(raw[12..]);
            ushort next = BinaryPrimitives.ReadUInt16LittleEndian(raw[14..]);
            if ((flags & DescriptorFlags.Indirect) != 0)
            {
                if (indirect || length == 0 || length % SplitRingLayout.DescriptorSize != 0
                    || length / SplitRingLayout.DescriptorSize > MaxIndirectEntries || !memory.IsValidRange(address, length))
                {
                    return null;
                }

                table = address;
                entries = (uint)(length / SplitRingLayout.DescriptorSize);
                index = 0;
                hops = 0;
                indirect = true;
                continue;
            }

            if ((flags & DescriptorFlags.Next) == 0)
            {
                bool usable = (flags & DescriptorFlags.Write) != 0 && length != 0
                    && GuestRange.TryEnd(address, length, out ulong end) && memory.IsValidRange(end - 1, 1);
                return usable ? address + length - 1 : null;
            }

            if (next >= entries)
            {
                return null;
            }

            index = next;
        }

        return null;
    }
}
