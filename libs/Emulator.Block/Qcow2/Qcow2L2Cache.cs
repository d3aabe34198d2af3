using System.Buffers.Binary;

namespace Emulator.Block;

/// <summary>
/// Recently used L2 tables, decoded, least recently used evicted first. Write-through: an entry change
/// goes to the file at once (8 bytes), so the cache never holds anything the file lacks.
/// </summary>
internal sealed class Qcow2L2Cache(Qcow2Storage storage, int capacity)
{
    private readonly Dictionary<ulong, LinkedListNode<(ulong Offset, ulong[] Table)>> map = [];
    private readonly LinkedList<(ulong Offset, ulong[] Table)> order = new();

    public ulong[] Get(ulong offset)
    {
        if (map.TryGetValue(offset, out var node))
        {
            order.Remove(node);
            order.AddFirst(node);
            return node.Value.Table;
        }

        var raw = new byte[storage.ClusterSize];
        storage.Read(offset, raw);
        var table = new ulong[raw.Length / 8];
        for (int i = 0; i < table.Length; i++)
        {
            table[i] = BinaryPrimitives.ReadUInt64BigEndian(raw.AsSpan(i * 8));
        }

        Add(offset, table);
        return table;
    }

    /// <summary>Records a table just written to the file.</summary>
    public void Add(ulong offset, ulong[] table)
    {
        if (map.Remove(offset, out var old))
        {
            order.Remove(old);
        }

        if (map.Count >= capacity && order.Last is { } last)
        {
            order.RemoveLast();
            map.Remove(last.Value.Offset);
        }

        map[offset] = order.AddFirst((offset, table));
    }

    public void Set(ulong offset, int index, ulong entry)
    {
        ulong[] table = Get(offset);
        table[index] = entry;
        storage.WriteEntry(offset + ((ulong)index * 8), entry);
    }
}
