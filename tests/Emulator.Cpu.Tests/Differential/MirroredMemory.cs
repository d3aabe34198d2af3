namespace Emulator.Cpu.Tests.Differential;

/// <summary>
/// Flat memory with two linear windows moved to where the host has them: the snippet page and the data mapping
/// (scratch buffer and stack room). Interpreted code then sees the host's addresses, so return addresses, pushed frame
/// pointers, absolute moffs operands and RIP-relative targets are identical in both runs. Everything else is
/// linear = physical (<see cref="FlatMemory"/>); an access straddling a window edge faults, as nothing maps it.
/// </summary>
public sealed class MirroredMemory(FlatMemory flat, MemoryWindow code, MemoryWindow data) : ICpuMemory, ICodeMemory
{
    public CodePageTracker CodePages => flat.CodePages;

    public long TranslationEpoch => 0;

    public bool TryRead(ulong linear, Span<byte> destination, MemoryAccess access, out CpuFault fault) =>
        flat.TryRead(Translate(linear, destination.Length), destination, access, out fault);

    public bool TryWrite(ulong linear, ReadOnlySpan<byte> source, MemoryAccess access, out CpuFault fault) =>
        flat.TryWrite(Translate(linear, source.Length), source, access, out fault);

    public bool TryTranslateFetch(ulong linear, out ulong physical, out CpuFault fault) =>
        flat.TryTranslateFetch(Translate(linear, 1), out physical, out fault);

    public int CopyRam(ulong physical, Span<byte> destination) => flat.CopyRam(physical, destination);

    /// <summary>Window addresses move; others stay (and fault beyond RAM as flat memory does).</summary>
    private ulong Translate(ulong linear, int length) =>
        code.TryMap(linear, length, out ulong physical) || data.TryMap(linear, length, out physical) ? physical : linear;
}
