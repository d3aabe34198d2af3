namespace Emulator.GdbStub;

/// <summary>Why a packet from the debugger was refused (answered with an <c>Enn</c> reply).</summary>
public enum GdbPacketError
{
    Malformed = 1,
    BadAddress = 14,
    Unsupported = 22,
}
