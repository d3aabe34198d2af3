namespace Emulator.Posix;

/// <summary>open(2) flags (Linux x86-64 values).</summary>
public static class OpenFlags
{
    public const int ReadOnly = 0x0;
    public const int WriteOnly = 0x1;
    public const int ReadWrite = 0x2;
    public const int Create = 0x40;
    public const int NoControllingTerminal = 0x100;
    public const int Truncate = 0x200;
    public const int Append = 0x400;
    public const int NonBlocking = 0x800;
    public const int CloseOnExec = 0x80000;
    public const int PathOnly = 0x200000;
    public const int NoFollow = 0x20000;
}
