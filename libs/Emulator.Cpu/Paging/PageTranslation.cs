namespace Emulator.Cpu;

/// <summary>
/// The outcome of one page walk. On <see cref="TranslationStatus.Ok"/>, <see cref="PhysicalAddress"/>
/// is the byte the linear address maps to, inside a page of <see cref="PageSize"/> bytes. On
/// <see cref="TranslationStatus.PageFault"/>, <see cref="ErrorCode"/> holds the #PF error code and
/// <see cref="FaultAddress"/> the value for CR2.
/// </summary>
public readonly record struct PageTranslation(
    TranslationStatus Status,
    ulong PhysicalAddress,
    ulong PageSize,
    PagePermissions Permissions,
    uint ErrorCode,
    ulong FaultAddress)
{
    public bool IsOk => Status == TranslationStatus.Ok;

    public static PageTranslation Mapped(ulong physical, ulong pageSize, PagePermissions permissions) =>
        new(TranslationStatus.Ok, physical, pageSize, permissions, 0, 0);

    public static PageTranslation PageFault(uint errorCode, ulong linear) =>
        new(TranslationStatus.PageFault, 0, 0, PagePermissions.None, errorCode, linear);

    public static PageTranslation NonCanonical(ulong linear) =>
        new(TranslationStatus.NonCanonical, 0, 0, PagePermissions.None, 0, linear);

    /// <summary>The fault as the interpreter raises it: #PF with CR2, or #GP(0) for a non-canonical address.</summary>
    public CpuFault ToFault() => Status switch
    {
        TranslationStatus.PageFault => new CpuFault(ExceptionVector.PageFault, ErrorCode, FaultAddress, true),
        TranslationStatus.NonCanonical => CpuFault.GeneralProtection(),
        _ => default,
    };
}
