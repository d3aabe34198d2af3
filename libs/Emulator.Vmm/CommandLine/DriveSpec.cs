namespace Emulator.Vmm.CommandLine;

/// <summary>One <c>-drive</c>, checked.</summary>
/// <param name="Id">The <c>id=</c> given; null: named by its interface and index (virtio0, none0), as QEMU does.</param>
public sealed record DriveSpec(string? Id, DriveInterface Interface, DiskImage Image, string? Serial);
