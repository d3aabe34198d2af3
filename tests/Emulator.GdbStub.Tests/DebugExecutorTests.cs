using Emulator.Cpu;
using Emulator.Memory;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.GdbStub.Tests;

public sealed class DebugExecutorTests : IDisposable
{
    private readonly GuestMemory _memory = GuestMemory.Create((0, 0x10_0000));
    private readonly Vcpu _vcpu = new();
    private readonly Interpreter _interpreter;
    private readonly BreakpointSet _breakpoints = new();
    private ulong _second;
    private ulong _third;

    public DebugExecutorTests()
    {
        _interpreter = new Interpreter(_vcpu, new FlatMemory(_memory));
    }

    public void Dispose()
    {
        _vcpu.Dispose();
        _memory.Dispose();
    }

    [Fact]
    public void Stops_before_a_breakpoint_and_not_again_when_resuming_from_it()
    {
        Load(64);
        _breakpoints.Add(GdbBreakpointType.Software, _second);
        DebugStop stop = DebugExecutor.Run(_interpreter, _vcpu, _breakpoints, 100);
        Assert.Equal(GdbStopReason.SoftwareBreakpoint, stop.Stop);
        Assert.Equal(_second, _vcpu.State.Rip);
        Assert.Equal(1UL, _vcpu.State.Register(GeneralRegister.Rax));

        DebugStop again = DebugExecutor.Run(_interpreter, _vcpu, _breakpoints, 100, resumeFrom: _second);
        Assert.Null(again.Stop);
        Assert.Equal(ExitReason.Halted, again.Exit);
        Assert.Equal(3UL, _vcpu.State.Register(GeneralRegister.Rax));
    }

    [Fact]
    public void Hardware_breakpoints_say_so_and_the_budget_bounds_the_run()
    {
        Load(64);
        _breakpoints.Add(GdbBreakpointType.Hardware, _third);
        Assert.Equal(new DebugStop(ExitReason.InstructionLimit, null, 0), DebugExecutor.Run(_interpreter, _vcpu, _breakpoints, 1));
        DebugStop stop = DebugExecutor.Run(_interpreter, _vcpu, _breakpoints, 100);
        Assert.Equal(new DebugStop(ExitReason.InstructionLimit, GdbStopReason.HardwareBreakpoint, _third), stop);
    }

    [Fact]
    public void Outside_64_bit_mode_breakpoints_match_the_linear_address()
    {
        Load(32);
        ulong csBase = 0x100;
        ref SegmentCache cs = ref _vcpu.State.Segment(SegmentRegister.Cs);
        cs.Base = csBase;
        _vcpu.State.Rip = 0x1000 - csBase;
        _breakpoints.Add(GdbBreakpointType.Software, _second);
        DebugStop stop = DebugExecutor.Run(_interpreter, _vcpu, _breakpoints, 100);
        Assert.Equal(GdbStopReason.SoftwareBreakpoint, stop.Stop);
        Assert.Equal(_second - csBase, _vcpu.State.Rip);
    }

    [Fact]
    public void A_write_watchpoint_stops_after_the_instruction_that_changed_the_value()
    {
        Load(64);
        _memory.Write(0x1100, [1, 2, 3, 4]);
        var assembler = new Assembler(64);
        assembler.mov(__dword_ptr[0x1100], 0x04030201);
        assembler.mov(__byte_ptr[0x1102], 9);
        assembler.hlt();
        using var stream = new MemoryStream();
        assembler.Assemble(new StreamCodeWriter(stream), 0x1000);
        _memory.Write(0x1000, stream.ToArray());
        var decoder = Iced.Intel.Decoder.Create(64, new ByteArrayCodeReader(stream.ToArray()), 0x1000);
        decoder.Decode();
        ulong halt = decoder.Decode().NextIP;
        _breakpoints.Add(GdbBreakpointType.WriteWatchpoint, 0x1101, 2);

        // The first store writes the value already there: no change, no stop.
        DebugStop stop = DebugExecutor.Run(_interpreter, _vcpu, _breakpoints, 100, memory: new FlatDebugMemory(_memory));
        Assert.Equal(new DebugStop(ExitReason.InstructionLimit, GdbStopReason.WriteWatchpoint, 0x1101), stop);
        Assert.Equal(halt, _vcpu.State.Rip);
        Assert.Equal(9, _memory.Read<byte>(0x1102));
    }

    [Fact]
    public void Only_four_hardware_breakpoints_fit()
    {
        for (ulong i = 0; i < BreakpointSet.MaxHardware; i++)
        {
            Assert.True(_breakpoints.Add(GdbBreakpointType.Hardware, i));
        }

        Assert.False(_breakpoints.Add(GdbBreakpointType.Hardware, 99));
        Assert.True(_breakpoints.Add(GdbBreakpointType.Software, 99));
        Assert.False(_breakpoints.Add(GdbBreakpointType.ReadWatchpoint, 99));
        Assert.False(_breakpoints.Add(GdbBreakpointType.WriteWatchpoint, 99, 0));
        Assert.False(_breakpoints.Add(GdbBreakpointType.WriteWatchpoint, 99, BreakpointSet.MaxWatchLength + 1));
        Assert.True(_breakpoints.Add(GdbBreakpointType.WriteWatchpoint, 99, 8));
        Assert.True(_breakpoints.Remove(GdbBreakpointType.WriteWatchpoint, 99, 8));
        Assert.True(_breakpoints.Watchpoints.IsEmpty);
        Assert.True(_breakpoints.Add(GdbBreakpointType.WriteWatchpoint, 99, 8));
        _breakpoints.Clear();
        Assert.True(_breakpoints.IsEmpty);
    }

    /// <summary>mov eax,1 / add eax,2 (second) / nop (third) / hlt at 0x1000, in a flat mode of <paramref name="bitness"/>.</summary>
    private void Load(int bitness)
    {
        if (bitness == 64)
        {
            FlatModeSetup.LongMode64(ref _vcpu.State, 0x1000, 0x8000);
        }
        else
        {
            FlatModeSetup.Protected32(ref _vcpu.State, 0x1000, 0x8000);
        }

        var assembler = new Assembler(bitness);
        Label second = assembler.CreateLabel();
        Label third = assembler.CreateLabel();
        assembler.mov(eax, 1);
        assembler.Label(ref second);
        assembler.add(eax, 2);
        assembler.Label(ref third);
        assembler.nop();
        assembler.hlt();
        using var stream = new MemoryStream();
        AssemblerResult result = assembler.Assemble(new StreamCodeWriter(stream), 0x1000, BlockEncoderOptions.ReturnNewInstructionOffsets);
        _memory.Write(0x1000, stream.ToArray());
        _second = result.GetLabelRIP(second);
        _third = result.GetLabelRIP(third);
    }
}
