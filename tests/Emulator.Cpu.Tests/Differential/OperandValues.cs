namespace Emulator.Cpu.Tests.Differential;

/// <summary>
/// Seeded operand values: half edge values (0, 1, -1, signed min/max and their neighbours, powers of two and
/// one less), half random, each truncated to the operand width. Upper bits a narrower operand ignores are random,
/// so merging into and zero-extending wider registers is exercised too.
/// </summary>
public sealed class OperandValues(int seed)
{
    private readonly Random _random = new(seed);

    public Random Random => _random;

    public ulong NextRaw() => (ulong)_random.NextInt64() ^ ((ulong)_random.Next(2) << 63);

    /// <summary>A value whose low <paramref name="bits"/> are an edge or random value, the rest random.</summary>
    public ulong Next(int bits) => Merge(NextRaw(), Interesting(bits), bits);

    /// <summary>An edge or random value of <paramref name="bits"/> bits, zero above them.</summary>
    public ulong Interesting(int bits)
    {
        ulong mask = Mask(bits);
        ulong signBit = 1UL << (bits - 1);
        ulong value = _random.Next(16) switch
        {
            0 => 0,
            1 => 1,
            2 => ulong.MaxValue,
            3 => signBit,
            4 => signBit - 1,
            5 => signBit + 1,
            6 => 1UL << _random.Next(bits),
            7 => (1UL << _random.Next(bits)) - 1,
            8 => (ulong)_random.Next(-4, 4),
            _ => NextRaw(),
        };
        return value & mask;
    }

    public static ulong Mask(int bits) => bits >= 64 ? ulong.MaxValue : (1UL << bits) - 1;

    /// <summary><paramref name="whole"/> with its low <paramref name="bits"/> replaced by <paramref name="low"/>.</summary>
    public static ulong Merge(ulong whole, ulong low, int bits) => (whole & ~Mask(bits)) | (low & Mask(bits));
}
