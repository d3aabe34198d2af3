namespace Emulator.Platform;

/// <summary>A module for the kernel: its string (QEMU passes the whole <c>-initrd</c> item, "file args") and its bytes.</summary>
public sealed record MultibootModule(string CommandLine, ReadOnlyMemory<byte> Data);
