namespace Emulator.Cpu;

/// <summary>Memory types as PAT entries and MTRRs encode them (Intel SDM vol. 3, 12.3 and 12.12).</summary>
public static class MemoryTypes
{
    /// <summary>Whether <paramref name="type"/> is UC, WC, WT, WP or WB (valid in MTRRs).</summary>
    public static bool IsValidMtrrType(ulong type) => type is 0 or 1 or 4 or 5 or 6;

    /// <summary>PAT entries additionally allow 7 (UC-).</summary>
    public static bool IsValidPatType(ulong type) => type is 0 or 1 or 4 or 5 or 6 or 7;

    /// <summary>Every byte of <paramref name="value"/> is a valid type for PAT or the fixed MTRRs.</summary>
    public static bool AllBytesValid(ulong value, bool pat)
    {
        for (int i = 0; i < 8; i++)
        {
            ulong type = (value >> (i * 8)) & 0xFF;
            if (!(pat ? IsValidPatType(type) : IsValidMtrrType(type)))
            {
                return false;
            }
        }

        return true;
    }
}
