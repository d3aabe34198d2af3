namespace Emulator.Vmm.CommandLine;

/// <summary>An image file an <c>emu-block</c> serves, and how it opens it.</summary>
/// <param name="File">The image's path.</param>
/// <param name="Format">raw or qcow2; null: probed by the server, as QEMU does.</param>
/// <param name="ReadOnly">Opened read-only: guest writes fail.</param>
/// <param name="DirectIo"><c>cache=none</c>: O_DIRECT on the image.</param>
/// <param name="DiscardUnmap"><c>discard=unmap</c>: guest discards free space in the image.</param>
public sealed record DiskImage(string File, string? Format, bool ReadOnly, bool DirectIo, bool DiscardUnmap);
