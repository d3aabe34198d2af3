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
}
