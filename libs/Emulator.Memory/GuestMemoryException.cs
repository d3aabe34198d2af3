namespace Emulator.Memory;

/// <summary>A guest address range that no RAM region backs, or that overflows 64 bits.</summary>
public sealed class GuestMemoryException : Exception
{
    public GuestMemoryException(ulong address, ulong length)
        : base($"guest range [0x{address:x}, +0x{length:x}) is not backed by guest RAM")
    {
        Address = address;
        Length = length;
    }

    public GuestMemoryException(string message)
        : base(message)
    {
    }

    public ulong Address { get; }

    public ulong Length { get; }
}
