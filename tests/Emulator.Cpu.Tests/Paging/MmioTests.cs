using Emulator.Cpu.Tests.CodeTracking;
using static Emulator.Cpu.Tests.Paging.PageTableBuilder;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Cpu.Tests.Paging;

/// <summary>The soft-MMU's physical addresses outside RAM: the MMIO bus, unassigned space, ROM code.</summary>
public sealed class MmioTests
{
    private const ulong MmioBase = 0xFEC0_0000;

    [Fact]
    public void UnassignedPhysicalReadsAllOnesAndDropsWrites()
    {
        using var m = new PagedMachine();
        m.Tables.Map(0x40_0000, MmioBase, P | RW | A | D);
        Assert.True(m.Memory.TryWrite(0x40_0010, [1, 2, 3, 4], MemoryAccess.Write, out _));
        var back = new byte[4];
        Assert.True(m.Memory.TryRead(0x40_0010, back, MemoryAccess.Read, out _));
        Assert.Equal(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF }, back);
    }

    [Fact]
    public void DeviceSeesItsAccessesAndTheTlbEntryIsSlowPath()
    {
        var device = new RecordingDevice(0x5A);
        using var m = new PagedMachine(device);
        m.Tables.Map(0x40_0000, MmioBase, P | RW | A | D);
        var value = new byte[4];
        Assert.True(m.Memory.TryRead(0x40_0008, value, MemoryAccess.Read, out _));
        Assert.Equal(new byte[] { 0x5A, 0x5A, 0x5A, 0x5A }, value);
        Assert.True(m.Memory.TryWrite(0x40_000C, [7, 8], MemoryAccess.Write, out _));
        Assert.Equal([(MmioBase + 8, 4, false), (MmioBase + 0xC, 2, true)], device.Accesses);
        Assert.Equal([7, 8], device.LastWrite);
        PagingContext context = PagingContext.FromState(in m.State);
        Assert.Equal(TlbLookup.SlowPath, m.Memory.Tlb.Lookup(0x40_0000, MemoryAccess.Read, context, out ulong physical));
        Assert.Equal(MmioBase, physical);
    }

    [Fact]
    public void AccessesSplitAtPages()
    {
        var device = new RecordingDevice(0x11);
        using var m = new PagedMachine(device);
        m.Tables.Map(0x40_0000, MmioBase, P | RW | A | D);
        m.Tables.Map(0x40_1000, MmioBase + 0x1000, P | RW | A | D);

        // Crosses page 0 -> 1: two accesses, one per page (the bus cuts at device boundaries itself).
        var buffer = new byte[8];
        Assert.True(m.Memory.TryRead(0x40_0FFC, buffer, MemoryAccess.Read, out _));
        Assert.Equal([(MmioBase + 0xFFC, 4, false), (MmioBase + 0x1000, 4, false)], device.Accesses);
    }

    [Fact]
    public void PageTableOutsideRamReadsAllOnesAndFaultsReserved()
    {
        using var m = new PagedMachine();

        // A PDPT pointer into unassigned space: the walk reads all ones, so reserved bits are set.
        m.Tables.SetEntry64(m.Tables.Root, 1, MmioBase | P | RW);
        Assert.False(m.Memory.TryRead(0x80_0000_0000, new byte[1], MemoryAccess.Read, out CpuFault fault));
        Assert.Equal(ExceptionVector.PageFault, fault.Vector);
        Assert.NotEqual(0u, fault.ErrorCode & PageFaultErrorCode.ReservedBit);
    }

    [Fact]
    public void CodeRunsFromRomOnTheBus()
    {
        const ulong romLinear = 0x40_0000;
        byte[] code = PagedMachine.Assemble(romLinear, a =>
        {
            a.mov(eax, 42);
            a.add(eax, 0x100);
            a.hlt();
        });
        var rom = new RecordingDevice(0xFF, code);
        using var m = new PagedMachine(rom);
        m.Tables.Map(romLinear, MmioBase, P | A);
        m.State.Rip = romLinear;
        Assert.Equal(ExitReason.Halted, m.Interpreter.Run(10));
        Assert.Equal(0x12Aul, m[GeneralRegister.Rax]);

        // ROM ignores writes: writing over it (through a writable alias) changes nothing.
        m.Tables.Map(0x50_0000, MmioBase, P | RW | A | D);
        Assert.True(m.Memory.TryWrite(0x50_0001, [0], MemoryAccess.Write, out _));
        m.State.Rip = romLinear;
        m.State.Halted = 0;
        Assert.Equal(ExitReason.Halted, m.Interpreter.Run(10));
        Assert.Equal(0x12Aul, m[GeneralRegister.Rax]);
    }

    /// <summary>Answers reads with its contents (or a fill byte), records every access, ignores writes' data except the last.</summary>
    private sealed class RecordingDevice(byte fill, byte[]? contents = null) : IMmioBus
    {
        private ulong _base = ulong.MaxValue;

        public List<(ulong Address, int Length, bool Write)> Accesses { get; } = [];

        public byte[] LastWrite { get; private set; } = [];

        public bool TryRead(ulong physical, Span<byte> destination)
        {
            Accesses.Add((physical, destination.Length, false));
            _base = Math.Min(_base, physical & ~0xFFFUL);
            for (int i = 0; i < destination.Length; i++)
            {
                ulong offset = physical - _base + (ulong)i;
                destination[i] = contents is not null && offset < (ulong)contents.Length ? contents[offset] : fill;
            }

            return true;
        }

        public bool TryWrite(ulong physical, ReadOnlySpan<byte> source)
        {
            Accesses.Add((physical, source.Length, true));
            LastWrite = source.ToArray();
            return true;
        }
    }
}
