namespace Emulator.Posix;

/// <summary>poll(2) event bits.</summary>
public static class PollEvents
{
    public const short In = 0x001;
    public const short Pri = 0x002;
    public const short Out = 0x004;
    public const short Err = 0x008;
    public const short Hup = 0x010;
    public const short Nval = 0x020;
    public const short RdHup = 0x2000;
}
