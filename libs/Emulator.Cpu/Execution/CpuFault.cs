namespace Emulator.Cpu;

/// <summary>
/// An exception an instruction raised, as a value (never a .NET exception): the vector, the error
/// code when the vector has one, and for #PF the faulting linear address that goes to CR2.
/// </summary>
public readonly record struct CpuFault(byte Vector, uint ErrorCode, ulong Cr2, bool HasErrorCode)
{
    /// <summary>A fault without an error code (#DE, #UD, ...).</summary>
    public static CpuFault Simple(byte vector) => new(vector, 0, 0, false);

    /// <summary>#GP with its error code (0 for most causes).</summary>
    public static CpuFault GeneralProtection(uint errorCode = 0) => new(ExceptionVector.GeneralProtection, errorCode, 0, true);
}
