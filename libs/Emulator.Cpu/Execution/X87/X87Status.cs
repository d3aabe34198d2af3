namespace Emulator.Cpu;

/// <summary>x87 status-word bits (SDM vol. 1, 8.1.3) beyond the exception flags of <see cref="FloatFlags"/>.</summary>
public static class X87Status
{
    public const ushort StackFault = 0x0040;
    public const ushort ErrorSummary = 0x0080;
    public const ushort C0 = 0x0100;
    public const ushort C1 = 0x0200;
    public const ushort C2 = 0x0400;
    public const ushort C3 = 0x4000;
    public const ushort Busy = 0x8000;
    public const ushort Conditions = C0 | C1 | C2 | C3;
    public const ushort TopMask = 0x3800;

    /// <summary>#NM and #MF, which <see cref="ExceptionVector"/> does not list yet.</summary>
    public const byte DeviceNotAvailable = 7;
    public const byte FloatingPointError = 16;

    /// <summary>The FNINIT control word: all exceptions masked, 64-bit precision, round to nearest.</summary>
    public const ushort DefaultControlWord = 0x037F;
}
