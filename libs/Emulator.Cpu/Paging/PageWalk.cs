namespace Emulator.Cpu;

/// <summary>One access being translated, and the #PF values it can end with.</summary>
internal readonly record struct PageWalk(ulong Linear, MemoryAccess Access, bool ImplicitSupervisor, PagingContext Context)
{
    private uint AccessBits => Context.AccessErrorBits(Access, ImplicitSupervisor);

    public PageTranslation NotPresent() => PageTranslation.PageFault(AccessBits, Linear);

    public PageTranslation Reserved() =>
        PageTranslation.PageFault(AccessBits | PageFaultErrorCode.Present | PageFaultErrorCode.ReservedBit, Linear);

    public PageTranslation Protection() => PageTranslation.PageFault(AccessBits | PageFaultErrorCode.Present, Linear);
}
