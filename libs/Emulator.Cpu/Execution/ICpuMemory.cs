namespace Emulator.Cpu;

/// <summary>
/// How an executing instruction reaches memory: by LINEAR address (segmentation already applied,
/// paging not). An implementation translates, checks rights for <paramref name="access"/>, and
/// either completes the whole access or none of it and reports the fault. Accesses may cross a page;
/// the implementation splits them.
/// </summary>
public interface ICpuMemory
{
    bool TryRead(ulong linear, Span<byte> destination, MemoryAccess access, out CpuFault fault);

    bool TryWrite(ulong linear, ReadOnlySpan<byte> source, MemoryAccess access, out CpuFault fault);
}
