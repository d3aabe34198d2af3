using Emulator.Memory;

namespace Emulator.Cpu;

/// <summary>
/// Linear address = physical address over <see cref="GuestMemory"/>, for tests and for code that runs
/// before paging is on. An access that is not entirely inside guest RAM raises #PF (not-present, with
/// W and I/D bits for the access kind, CR2 = the first byte's linear address): the fault the guest
/// would see once paging maps nothing there, and one a test can tell apart from the #GP of a
/// non-canonical address. Nothing is transferred when the access faults. Writes to pages holding
/// decoded code are reported to <see cref="CodePages"/>.
/// </summary>
public sealed class FlatMemory : ICpuMemory, ICodeMemory
{
    private readonly GuestMemory _memory;

    public FlatMemory(GuestMemory memory)
    {
        ArgumentNullException.ThrowIfNull(memory);
        _memory = memory;
        ulong end = 0;
        foreach (GuestRegion region in memory.Regions)
        {
            end = Math.Max(end, region.End);
        }

        CodePages = new CodePageTracker(end);
    }

    public CodePageTracker CodePages { get; }

    /// <summary>Linear is physical: translations never change.</summary>
    public long TranslationEpoch => 0;

    public bool TryRead(ulong linear, Span<byte> destination, MemoryAccess access, out CpuFault fault)
    {
        if (destination.Length <= 8 && _memory.TryGetSpan(linear, destination.Length, out Span<byte> span))
        {
            span.CopyTo(destination);
            fault = default;
            return true;
        }

        if (_memory.TryRead(linear, destination))
        {
            fault = default;
            return true;
        }

        fault = PageFault(linear, access);
        return false;
    }

    public bool TryWrite(ulong linear, ReadOnlySpan<byte> source, MemoryAccess access, out CpuFault fault)
    {
        if (source.Length <= 8 && _memory.TryGetSpan(linear, source.Length, out Span<byte> span))
        {
            source.CopyTo(span);
        }
        else if (!_memory.TryWrite(linear, source))
        {
            fault = PageFault(linear, access);
            return false;
        }

        CodePages.NotifyWrite(linear, (ulong)source.Length);
        fault = default;
        return true;
    }

    /// <summary>A 1/2/4/8-byte read inside one RAM region without staging buffers; false (nothing done) sends the caller down the general path.</summary>
    internal bool TryReadScalarFast(ulong linear, int size, out ulong value)
    {
        if (_memory.TryGetSpan(linear, size, out Span<byte> span))
        {
            value = Scalar.Read(span, size);
            return true;
        }

        value = 0;
        return false;
    }

    /// <summary>The write counterpart of <see cref="TryReadScalarFast"/>; reports writes to code.</summary>
    internal bool TryWriteScalarFast(ulong linear, int size, ulong value)
    {
        if (!_memory.TryGetSpan(linear, size, out Span<byte> span))
        {
            return false;
        }

        Scalar.Write(span, size, value);
        CodePages.NotifyWrite(linear, (ulong)size);
        return true;
    }

    public bool TryTranslateFetch(ulong linear, out ulong physical, out CpuFault fault)
    {
        physical = linear;
        if (_memory.IsValidRange(linear, 1))
        {
            fault = default;
            return true;
        }

        fault = PageFault(linear, MemoryAccess.Execute);
        return false;
    }

    public int CopyRam(ulong physical, Span<byte> destination)
    {
        int length = (int)Math.Min((ulong)destination.Length, 4096 - (physical & 0xFFF));
        if (!_memory.TryGetSpan(physical, length, out Span<byte> span))
        {
            return 0;
        }

        span.CopyTo(destination);
        return length;
    }

    private static CpuFault PageFault(ulong linear, MemoryAccess access)
    {
        uint code = access switch
        {
            MemoryAccess.Write => PageFaultErrorCode.Write,
            MemoryAccess.Execute => PageFaultErrorCode.InstructionFetch,
            _ => 0,
        };
        return new CpuFault(ExceptionVector.PageFault, code, linear, true);
    }
}
