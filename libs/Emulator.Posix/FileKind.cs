namespace Emulator.Posix;

/// <summary>The file type bits of st_mode (S_IFMT).</summary>
public enum FileKind
{
    Unknown = 0,
    Fifo = 0x1000,
    CharacterDevice = 0x2000,
    Directory = 0x4000,
    BlockDevice = 0x6000,
    Regular = 0x8000,
    SymbolicLink = 0xA000,
    Socket = 0xC000,
}
