using Emulator.Vmm.CommandLine;

namespace Emulator.Vmm.Block;

/// <summary>A disk's plan, its server connection and the virtio-pci device on it.</summary>
/// <param name="Lives">The emu-block processes the emulator started for it; null for a server someone else started.</param>
internal sealed record AttachedDisk(PlannedDisk Plan, DeviceConnection Server, VhostUserPciDevice Device, ServerLives? Lives);
