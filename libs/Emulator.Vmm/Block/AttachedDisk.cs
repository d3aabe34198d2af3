using Emulator.Vmm.CommandLine;

namespace Emulator.Vmm.Block;

/// <summary>A disk's plan, its server connection and the virtio-pci device on it.</summary>
internal sealed record AttachedDisk(PlannedDisk Plan, DeviceConnection Server, VhostUserPciDevice Device);
