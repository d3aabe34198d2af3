namespace Emulator.Platform;

/// <summary>Copy <see cref="FileSize"/> bytes from <see cref="FileOffset"/> to physical <see cref="Address"/>, then zero up to <see cref="MemorySize"/>.</summary>
public readonly record struct LoadSegment(ulong FileOffset, ulong FileSize, ulong Address, ulong MemorySize)
{
    public ulong End => Address + MemorySize;
}
