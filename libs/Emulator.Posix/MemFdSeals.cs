namespace Emulator.Posix;

/// <summary>Seals for memfd_create(MFD_ALLOW_SEALING) files (fcntl F_ADD_SEALS).</summary>
[Flags]
public enum MemFdSeals
{
    None = 0,
    Seal = 0x1,
    Shrink = 0x2,
    Grow = 0x4,
    Write = 0x8,
    FutureWrite = 0x10,
}
