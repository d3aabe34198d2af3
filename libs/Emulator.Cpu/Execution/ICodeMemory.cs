namespace Emulator.Cpu;

/// <summary>
/// What the interpreter needs beyond <see cref="ICpuMemory"/> to key decoded code by PHYSICAL
/// address and keep it coherent with writes: instruction-fetch translation, the RAM bytes of a
/// code page, and the tracker the memory reports writes to code pages through.
/// </summary>
public interface ICodeMemory
{
    /// <summary>Written code is reported here; <see cref="CodePageTracker.InvalidatePhysical"/> is the any-thread hook.</summary>
    CodePageTracker CodePages { get; }

    /// <summary>Changes whenever a cached code translation may have become stale (TLB flush, INVLPG).</summary>
    long TranslationEpoch { get; }

    /// <summary>Translates <paramref name="linear"/> for an instruction fetch (with the fetch's rights and faults).</summary>
    bool TryTranslateFetch(ulong linear, out ulong physical, out CpuFault fault);

    /// <summary>
    /// Copies RAM bytes at <paramref name="physical"/> (at most up to the end of its page) into
    /// <paramref name="destination"/>; 0 when the address is not RAM (the caller then fetches
    /// through the linear path, which reaches MMIO).
    /// </summary>
    int CopyRam(ulong physical, Span<byte> destination);
}
