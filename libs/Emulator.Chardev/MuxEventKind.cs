namespace Emulator.Chardev;

internal enum MuxEventKind
{
    Exit,
    Break,
    Focus,
    Commit,
}
