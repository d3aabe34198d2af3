namespace Emulator.Platform;

/// <summary>What a base address register decodes.</summary>
public enum PciBarKind
{
    Io,
    Memory32,
    Memory64,
    Memory64Prefetchable,
}
