namespace Emulator.GdbStub;

/// <summary>A debugger's view of guest memory by linear address: no privilege or write-protect checks, all or nothing.</summary>
public interface IDebugMemory
{
    bool TryRead(ulong linear, Span<byte> destination);

    bool TryWrite(ulong linear, ReadOnlySpan<byte> source);
}
