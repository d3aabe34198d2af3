namespace Emulator.Platform;

/// <summary>One e820-style range: <see cref="Type"/> 1 is usable RAM, 2 reserved (the multiboot mmap's types).</summary>
public readonly record struct MemoryMapEntry(ulong Base, ulong Length, uint Type)
{
    public const uint Usable = 1;
    public const uint Reserved = 2;
}
