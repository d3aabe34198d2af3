using Emulator.Memory;

namespace Emulator.GdbStub;

/// <summary>Linear = physical (paging off, or a <see cref="Cpu.FlatMemory"/> machine): guest RAM only.</summary>
public sealed class FlatDebugMemory(GuestMemory memory) : IDebugMemory
{
    public bool TryRead(ulong linear, Span<byte> destination) => memory.TryRead(linear, destination);

    public bool TryWrite(ulong linear, ReadOnlySpan<byte> source) => memory.TryWrite(linear, source);
}
