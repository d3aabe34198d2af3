using Emulator.Posix;

namespace Emulator.Cpu.Tests.X87;

/// <summary>
/// Runs an x87 snippet on the host CPU, called as <c>void(byte* block)</c> (System V: RDI = block). The
/// snippet clobbers only RAX and RFLAGS (caller-saved) and ends with FNSAVE, which leaves the x87 in its
/// initialized state as the ABI expects. Every exception stays masked, so nothing traps.
/// </summary>
public sealed unsafe class X87NativeRunner : IDisposable
{
    private const ulong PageSize = 4096;

    private readonly MemoryMapping _code = MemoryMapping.MapAnonymous(PageSize, Protection.ReadWrite);
    private readonly MemoryMapping _data = MemoryMapping.MapAnonymous(PageSize, Protection.ReadWrite);
    private byte[] _loaded = [];

    /// <summary>Where the snippet runs (for the instruction pointer FNSAVE stores).</summary>
    public ulong CodeAddress => (ulong)_code.Pointer;

    /// <summary>Where the block is (for the data pointer FNSAVE stores).</summary>
    public ulong BlockAddress => (ulong)_data.Pointer;

    public byte[] Run(byte[] snippet, byte[] block)
    {
        ArgumentNullException.ThrowIfNull(snippet);
        ArgumentNullException.ThrowIfNull(block);
        if (!snippet.AsSpan().SequenceEqual(_loaded))
        {
            _code.Protect(0, PageSize, Protection.ReadWrite);
            snippet.CopyTo(_code.GetSpan(0, (int)PageSize));
            _code.Protect(0, PageSize, Protection.Read | Protection.Exec);
            _loaded = snippet;
        }

        Span<byte> data = _data.GetSpan(0, X87Block.Size);
        block.CopyTo(data);

        // SAFETY: the code page holds the snippet (read+exec), which touches only RAX, RFLAGS, the x87 state and
        // [RDI, RDI + X87Block.Size) inside the data mapping, and returns with RSP balanced (one PUSHFQ, one POP).
        var entry = (delegate* unmanaged<byte*, void>)_code.Pointer;
        entry(_data.Pointer);
        return data.ToArray();
    }

    public void Dispose()
    {
        _code.Dispose();
        _data.Dispose();
    }
}
