using System.Diagnostics.CodeAnalysis;
using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// Decoded code by <see cref="BlockKey"/>, with a page index so a write to a code page drops every
/// block that has bytes on it (<see cref="InvalidatePage"/>; the self-modifying-code and device
/// dirty-log hooks call it). Bounded: past <see cref="MaxBlocks"/> blocks it starts over, so no
/// guest can grow it without limit. Not thread-safe (one per vCPU).
/// </summary>
public sealed class DecodedBlockCache
{
    public const int MaxInstructions = 64;

    public const int MaxBlocks = 1 << 16;

    private const int PageShift = 12;

    private readonly Dictionary<BlockKey, DecodedBlock> _blocks = [];
    private readonly Dictionary<ulong, List<BlockKey>> _byPage = [];

    public int Count => _blocks.Count;

    /// <summary>
    /// The block at <paramref name="linear"/> (decoded now if absent). Fails with the fetch fault only
    /// when the first instruction cannot be fetched; a fault later in the run just ends the block there.
    /// </summary>
    public bool TryGet(ICpuMemory memory, ulong linear, ulong ip, int bitness, byte mode, [NotNullWhen(true)] out DecodedBlock? block, out CpuFault fault)
    {
        var key = new BlockKey(linear, mode);
        if (_blocks.TryGetValue(key, out DecodedBlock? found))
        {
            block = found;
            fault = default;
            return true;
        }

        ulong linearMask = bitness == 64 ? ulong.MaxValue : uint.MaxValue;
        var reader = new GuestCodeReader(memory, linear, linearMask);
        var decoder = Decoder.Create(bitness, reader, ip, DecoderOptions.None);
        var instructions = new List<Instruction>();
        ulong end = linear;
        while (instructions.Count < MaxInstructions)
        {
            decoder.Decode(out Instruction instruction);
            if (decoder.LastError == DecoderError.NoMoreBytes || reader.Faulted)
            {
                if (instructions.Count == 0)
                {
                    block = null;
                    fault = reader.Fault;
                    return false;
                }

                break;
            }

            instructions.Add(instruction);
            end = reader.Position;
            if (instruction.IsInvalid || EndsBlock(instruction))
            {
                break;
            }
        }

        if (_blocks.Count >= MaxBlocks)
        {
            InvalidateAll();
        }

        block = new DecodedBlock(key, [.. instructions], end);
        _blocks.Add(key, block);
        for (ulong page = linear >> PageShift; ; page++)
        {
            if (!_byPage.TryGetValue(page, out List<BlockKey>? keys))
            {
                keys = [];
                _byPage.Add(page, keys);
            }

            keys.Add(key);
            if (page == (end - 1) >> PageShift || end <= linear)
            {
                break;
            }
        }

        fault = default;
        return true;
    }

    /// <summary>Drops every block with code on the 4 KiB page that holds <paramref name="physicalAddress"/>.</summary>
    public void InvalidatePage(ulong physicalAddress)
    {
        if (!_byPage.Remove(physicalAddress >> PageShift, out List<BlockKey>? keys))
        {
            return;
        }

        foreach (BlockKey key in keys)
        {
            // A block spanning two pages stays listed under the other page; removing it twice is harmless.
            _blocks.Remove(key);
        }
    }

    public void InvalidateAll()
    {
        _blocks.Clear();
        _byPage.Clear();
    }

    private static bool EndsBlock(in Instruction instruction) =>
        instruction.FlowControl != FlowControl.Next || instruction.Mnemonic == Mnemonic.Hlt;
}
