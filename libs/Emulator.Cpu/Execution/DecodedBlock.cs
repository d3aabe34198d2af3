using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// A run of decoded instructions from one entry point, ending after the first control transfer
/// (or HLT, or an undecodable instruction) or at <see cref="DecodedBlockCache.MaxInstructions"/>.
/// Immutable once built, except that the interpreter attaches the resolved handlers on first run.
/// </summary>
public sealed class DecodedBlock
{
    public DecodedBlock(BlockKey key, Instruction[] instructions, ulong endAddress, ulong[] physicalPages)
    {
        ArgumentNullException.ThrowIfNull(instructions);
        ArgumentNullException.ThrowIfNull(physicalPages);
        Key = key;
        Instructions = instructions;
        EndAddress = endAddress;
        PhysicalPages = physicalPages;
    }

    public BlockKey Key { get; }

    /// <summary>The instructions, in order; an array so the interpreter can run them by reference.</summary>
    public Instruction[] Instructions { get; }

    /// <summary>One past the last code byte, as a LINEAR address.</summary>
    public ulong EndAddress { get; }

    /// <summary>The physical 4 KiB pages (page addresses) holding the block's bytes: one, or two when it crosses a page.</summary>
    public IReadOnlyList<ulong> PhysicalPages { get; }

    /// <summary>One handler per instruction (null: #UD), resolved once by the interpreter that runs the block.</summary>
    internal InstructionHandler?[]? Handlers { get; set; }

    /// <summary>
    /// <see cref="Handlers"/> again when every one is a <see cref="FastHandlers"/> one (none halts,
    /// touches RFLAGS.IF/TF, sets an interrupt shadow or changes the mode, so the interpreter skips
    /// those checks between them); null otherwise. Set with <see cref="Handlers"/>.
    /// </summary>
    internal InstructionHandler[]? QuietHandlers { get; set; }

    /// <summary>Bit i: instruction i accesses memory (a device or a code write may end the run or the block after it).</summary>
    internal ulong MemoryMask { get; set; }

    // Block chaining: the last two successors, each valid while the cache's and the memory's epochs
    // (their sum) are unchanged, for the same linear address, IP and mode.
    private Successor _first;
    private Successor _second;

    /// <summary>The chained successor for this entry state, or null (look it up in the cache).</summary>
    internal DecodedBlock? FindSuccessor(ulong linear, ulong ip, byte mode, long epoch)
    {
        if (_first.Matches(linear, ip, mode, epoch))
        {
            return _first.Block;
        }

        return _second.Matches(linear, ip, mode, epoch) ? _second.Block : null;
    }

    internal void AddSuccessor(DecodedBlock block, ulong linear, long epoch)
    {
        _second = _first;
        _first = new Successor(block, linear, epoch);
    }

    private readonly record struct Successor(DecodedBlock? Block, ulong Linear, long Epoch)
    {
        public bool Matches(ulong linear, ulong ip, byte mode, long epoch) =>
            Block is not null && Linear == linear && Epoch == epoch && Block.Key.Ip == ip && Block.Key.Mode == mode;
    }
}
