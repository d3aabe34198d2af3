using Emulator.Cpu;
using Emulator.Memory;

namespace Emulator.GdbStub.Tests;

/// <summary>Debugger access by virtual address through 4-level paging: 0x4000_0000 maps to 0x20000, 0x4000_1000 (read-only) to 0x30000, 0x4000_2000 is unmapped.</summary>
public sealed class PagedDebugMemoryTests : IDisposable
{
    private const ulong Virtual = 0x4000_0000;
    private readonly GuestMemory _memory = GuestMemory.Create((0, 0x10_0000));
    private readonly Vcpu _vcpu = new();
    private readonly PagedDebugMemory _debug;

    public PagedDebugMemoryTests()
    {
        FlatModeSetup.LongMode64(ref _vcpu.State, 0x1000, 0x8000);
        _vcpu.State.Cr3 = 0x10000;
        _memory.Write<ulong>(0x10000, 0x11000 | 3);
        _memory.Write<ulong>(0x11000 + (1 * 8), 0x12000 | 3);
        _memory.Write<ulong>(0x12000, 0x13000 | 3);
        _memory.Write<ulong>(0x13000, 0x20000 | 3);
        _memory.Write<ulong>(0x13008, 0x30000 | 1);
        _debug = new PagedDebugMemory(_memory, new PagedMemory(_memory, _vcpu));
    }

    public void Dispose()
    {
        _vcpu.Dispose();
        _memory.Dispose();
    }

    [Fact]
    public void Accesses_cross_pages_and_may_write_read_only_ones()
    {
        Assert.True(_debug.TryWrite(Virtual + 0xFFC, [1, 2, 3, 4, 5, 6, 7, 8]));
        Assert.Equal(0x04030201u, _memory.ReadU32(0x20FFC));
        Assert.Equal(0x08070605u, _memory.ReadU32(0x30000));
        byte[] back = new byte[8];
        Assert.True(_debug.TryRead(Virtual + 0xFFC, back));
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8], back);
    }

    [Fact]
    public void An_unmapped_page_fails_the_whole_access()
    {
        Assert.False(_debug.TryRead(Virtual + 0x2000, new byte[1]));
        Assert.False(_debug.TryWrite(Virtual + 0x1FFE, [9, 9, 9, 9]));
        Assert.Equal(0, _memory.Read<ushort>(0x30FFE));
        Assert.False(_debug.TryRead(0xFFFF_8000_0000_0000, new byte[1]));
    }
}
