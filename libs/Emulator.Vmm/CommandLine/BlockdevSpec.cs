namespace Emulator.Vmm.CommandLine;

/// <summary>One <c>-blockdev</c> node, checked.</summary>
/// <param name="NodeName">Its <c>node-name</c>.</param>
/// <param name="Driver">file, raw or qcow2.</param>
/// <param name="Filename">The image path (driver=file, or a format node's inline <c>file.filename</c>); null when <paramref name="FileNode"/> names it.</param>
/// <param name="FileNode">A format node's <c>file=NODE</c>: the driver=file node it reads.</param>
/// <param name="ReadOnly"><c>read-only=on</c>.</param>
/// <param name="DirectIo"><c>cache.direct=on</c>.</param>
/// <param name="DiscardUnmap"><c>discard=unmap</c>.</param>
public sealed record BlockdevSpec(string NodeName, string Driver, string? Filename, string? FileNode, bool ReadOnly, bool DirectIo, bool DiscardUnmap);
