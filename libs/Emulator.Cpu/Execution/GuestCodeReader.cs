using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// Feeds Iced's decoder from guest memory with instruction-fetch access, stopping (end of input) at
/// the first byte that faults and remembering that fault, so a fetch fault becomes a #PF value.
/// </summary>
internal sealed class GuestCodeReader : CodeReader
{
    private readonly ICpuMemory _memory;
    private readonly ulong _linearMask;
    private ulong _linear;
    private bool _faulted;

    public GuestCodeReader(ICpuMemory memory, ulong linear, ulong linearMask)
    {
        _memory = memory;
        _linear = linear;
        _linearMask = linearMask;
    }

    public CpuFault Fault { get; private set; }

    public bool Faulted => _faulted;

    /// <summary>The next byte's linear address.</summary>
    public ulong Position => _linear;

    public override int ReadByte()
    {
        if (_faulted)
        {
            return -1;
        }

        Span<byte> one = stackalloc byte[1];
        if (!_memory.TryRead(_linear, one, MemoryAccess.Execute, out CpuFault fault))
        {
            _faulted = true;
            Fault = fault;
            return -1;
        }

        _linear = (_linear + 1) & _linearMask;
        return one[0];
    }
}
