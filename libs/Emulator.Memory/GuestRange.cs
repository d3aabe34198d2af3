namespace Emulator.Memory;

/// <summary>
/// The one place where guest address arithmetic is done: every bounds computation in this
/// library funnels through these checked helpers, so a hostile length can never wrap.
/// </summary>
public static class GuestRange
{
    /// <summary>address + offset, or false if it would pass 2^64.</summary>
    public static bool TryAdd(ulong address, ulong offset, out ulong result)
    {
        result = unchecked(address + offset);
        return result >= address;
    }

    /// <summary>The exclusive end of [address, address+length), or false if it wraps.</summary>
    public static bool TryEnd(ulong address, ulong length, out ulong end) => TryAdd(address, length, out end);

    /// <summary>True when [address, address+length) lies wholly inside [baseAddress, baseAddress+size).</summary>
    public static bool Contains(ulong baseAddress, ulong size, ulong address, ulong length) =>
        address >= baseAddress
        && address - baseAddress <= size
        && length <= size - (address - baseAddress);
}
