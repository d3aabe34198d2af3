namespace Emulator.VirtioBlock;

/// <summary>One range of a discard or write-zeroes request, already checked against the disk.</summary>
public readonly record struct BlockSegment(ulong Sector, uint NumSectors, bool Unmap);
