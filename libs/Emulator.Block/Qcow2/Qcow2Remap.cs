namespace Emulator.Block;

/// <summary>A guest cluster's L2 entry about to change: the new entry, and the old one whose host clusters it releases.</summary>
internal readonly record struct Qcow2Remap(ulong GuestCluster, ulong NewEntry, ulong OldEntry);
