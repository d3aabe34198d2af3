namespace Emulator.Platform;

/// <summary>One queue as the driver set it up: index, ring size, the three ring parts' guest-physical addresses, and its MSI-X vector (0xFFFF none).</summary>
public readonly record struct VirtioQueueConfig(int Index, ushort Size, ulong DescriptorTable, ulong DriverArea, ulong DeviceArea, ushort MsixVector);
