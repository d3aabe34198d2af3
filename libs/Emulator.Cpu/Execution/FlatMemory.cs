using Emulator.Memory;

namespace Emulator.Cpu;

/// <summary>
/// Linear address = physical address over <see cref="GuestMemory"/>, for tests and for code that runs
/// before paging is on. An access that is not entirely inside guest RAM raises #PF (not-present, with
/// W and I/D bits for the access kind, CR2 = the first byte's linear address): the fault the guest
/// would see once paging maps nothing there, and one a test can tell apart from the #GP of a
/// non-canonical address. Nothing is transferred when the access faults.
/// </summary>
public sealed class FlatMemory : ICpuMemory
{
    private readonly GuestMemory _memory;

    public FlatMemory(GuestMemory memory)
    {
        ArgumentNullException.ThrowIfNull(memory);
        _memory = memory;
    }

    public bool TryRead(ulong linear, Span<byte> destination, MemoryAccess access, out CpuFault fault)
    {
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
        if (_memory.TryWrite(linear, source))
        {
            fault = default;
            return true;
        }

        fault = PageFault(linear, access);
        return false;
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
