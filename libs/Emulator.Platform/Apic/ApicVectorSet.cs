using System.Numerics;

namespace Emulator.Platform;

/// <summary>A 256-bit vector register (IRR, ISR, TMR) as eight 32-bit words, the layout the MMIO page shows.</summary>
internal sealed class ApicVectorSet
{
    private readonly uint[] _words = new uint[8];

    public bool this[int vector]
    {
        get => (_words[vector >> 5] & (1u << (vector & 31))) != 0;
        set
        {
            if (value)
            {
                _words[vector >> 5] |= 1u << (vector & 31);
            }
            else
            {
                _words[vector >> 5] &= ~(1u << (vector & 31));
            }
        }
    }

    public uint Word(int index) => _words[index];

    /// <summary>The highest set vector, or -1.</summary>
    public int Highest()
    {
        for (int i = 7; i >= 0; i--)
        {
            if (_words[i] != 0)
            {
                return (i * 32) + 31 - BitOperations.LeadingZeroCount(_words[i]);
            }
        }

        return -1;
    }

    public void Clear() => Array.Clear(_words);
}
