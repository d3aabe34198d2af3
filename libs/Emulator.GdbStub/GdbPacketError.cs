namespace Emulator.GdbStub;

/// <summary>Why a packet from the debugger was refused (answered with an <c>Enn</c> reply, nn in hex).</summary>
public enum GdbPacketError
{
    /// <summary>E00: the request named something that does not exist (an unknown qXfer annex).</summary>
    NotFound = 0,

    /// <summary>E14 (EFAULT): an unmapped guest page or a register number past the description.</summary>
    BadAddress = 0x14,

    /// <summary>E22 (EINVAL): the packet could not be parsed or is larger than advertised.</summary>
    Malformed = 0x22,
}
