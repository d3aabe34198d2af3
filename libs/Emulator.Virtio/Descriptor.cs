namespace Emulator.Virtio;

/// <summary>
/// One validated buffer of a descriptor chain, copied out of shared memory: its range is guest RAM,
/// its length is non-zero, and nothing the guest does later changes it.
/// </summary>
public readonly record struct Descriptor(ulong Address, uint Length, bool IsWritable);
