namespace Emulator.Block;

/// <summary>The one bounds check every image request goes through (checked arithmetic, no wrap-around).</summary>
internal static class ImageRange
{
    public static void Check(ulong offset, ulong length, ulong size)
    {
        if (offset > size || length > size - offset)
        {
            throw new ArgumentOutOfRangeException(
                nameof(offset), $"request at {offset} of {length} bytes lies outside the {size}-byte disk");
        }
    }
}
