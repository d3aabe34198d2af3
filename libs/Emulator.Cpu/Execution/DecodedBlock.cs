using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// A run of decoded instructions from one entry point, ending after the first control transfer
/// (or HLT, or an undecodable instruction) or at <see cref="DecodedBlockCache.MaxInstructions"/>.
/// Immutable once built.
/// </summary>
public sealed class DecodedBlock
{
    public DecodedBlock(BlockKey key, Instruction[] instructions, ulong endAddress)
    {
        Key = key;
        Instructions = instructions;
        EndAddress = endAddress;
    }

    public BlockKey Key { get; }

    public IReadOnlyList<Instruction> Instructions { get; }

    /// <summary>One past the last code byte (same address space as <see cref="BlockKey.Address"/>).</summary>
    public ulong EndAddress { get; }
}
