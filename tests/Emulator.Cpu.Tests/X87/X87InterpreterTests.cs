using System.Buffers.Binary;
using Emulator.Memory;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Cpu.Tests.X87;

/// <summary>What the host comparison cannot show: #NM, #MF, FWAIT, the environment layouts, transcendentals.</summary>
public sealed class X87InterpreterTests : IDisposable
{
    private const ulong Code = 0x1000;
    private const ulong Data = 0x4000;
    private readonly GuestMemory _memory = GuestMemory.Create((0, 0x10000));
    private readonly Vcpu _vcpu = new();
    private readonly Interpreter _interpreter;

    public X87InterpreterTests()
    {
        _interpreter = new Interpreter(_vcpu, new FlatMemory(_memory));
        FlatModeSetup.LongMode64(ref _vcpu.State, Code, 0x8000);
        X87Control.Reset(ref _vcpu.State);
        _vcpu.State.Register(GeneralRegister.Rdi) = Data;
    }

    private ExitReason Run(Action<Assembler> emit, int count)
    {
        var a = new Assembler(64);
        emit(a);
        using var stream = new MemoryStream();
        a.Assemble(new StreamCodeWriter(stream), Code);
        _memory.Write(Code, stream.ToArray());
        _interpreter.Blocks.InvalidateAll();
        _vcpu.State.Rip = Code;
        return _interpreter.Run(count);
    }

    private double St(int i)
    {
        var status = new FloatStatus();
        Float80 value = _vcpu.State.Fpr[(_vcpu.State.FpuTop + i) & 7];
        return BitConverter.UInt64BitsToDouble(Float80Arithmetic.ToFloat64(value, status));
    }

    [Fact]
    public void TaskSwitchedOrEmulatedGivesDeviceNotAvailable()
    {
        _vcpu.State.Cr0 |= Cr0Bits.TS;
        Assert.Equal(ExitReason.Exception, Run(a => a.fld1(), 1));
        Assert.Equal(X87Status.DeviceNotAvailable, _interpreter.LastFault.Vector);

        _vcpu.State.Cr0 = (_vcpu.State.Cr0 & ~Cr0Bits.TS) | Cr0Bits.EM;
        Assert.Equal(ExitReason.Exception, Run(a => a.fld1(), 1));
        Assert.Equal(X87Status.DeviceNotAvailable, _interpreter.LastFault.Vector);
    }

    [Fact]
    public void WaitFaultsOnlyWithMonitorAndTaskSwitched()
    {
        _vcpu.State.Cr0 |= Cr0Bits.TS;
        Assert.Equal(ExitReason.InstructionLimit, Run(a => a.wait(), 1));
        _vcpu.State.Cr0 |= Cr0Bits.MP;
        Assert.Equal(ExitReason.Exception, Run(a => a.wait(), 1));
        Assert.Equal(X87Status.DeviceNotAvailable, _interpreter.LastFault.Vector);
    }

    [Fact]
    public void UnmaskedExceptionIsDeliveredOnTheNextWaitingInstruction()
    {
        _vcpu.State.Fcw = X87Status.DefaultControlWord & ~(int)FloatFlags.DivideByZero;
        Assert.Equal(ExitReason.InstructionLimit, Run(a => { a.fld1(); a.fldz(); a.fdivp(st1, st0); }, 3));

        // Unmasked ZE: the destination keeps its value and nothing is popped.
        Assert.Equal(1.0, St(1));
        Assert.NotEqual(0, _vcpu.State.Fsw & X87Status.ErrorSummary);
        Assert.NotEqual(0, _vcpu.State.Fsw & X87Status.Busy);

        // The no-wait forms run; the next waiting instruction raises #MF.
        Assert.Equal(ExitReason.Exception, Run(a => { a.fnstsw(ax); a.fnstcw(__word_ptr[rdi]); a.fld1(); }, 3));
        Assert.Equal(X87Status.FloatingPointError, _interpreter.LastFault.Vector);
        Assert.Equal(_vcpu.State.FswWithTop, (ushort)_vcpu.State.Gpr[(int)GeneralRegister.Rax]);

        // With CR0.NE clear the legacy FERR# path is not modelled: no fault.
        _vcpu.State.Cr0 &= ~Cr0Bits.NE;
        Assert.Equal(ExitReason.InstructionLimit, Run(a => a.fld1(), 1));
        _vcpu.State.Cr0 |= Cr0Bits.NE;
        Assert.Equal(ExitReason.InstructionLimit, Run(a => { a.fnclex(); a.fld1(); }, 2));
    }

    [Fact]
    public void UnmaskedOverflowDeliversTheBiasAdjustedResult()
    {
        _vcpu.State.Fcw = X87Status.DefaultControlWord & ~(int)FloatFlags.Overflow;
        byte[] max = new byte[10];
        BinaryPrimitives.WriteUInt64LittleEndian(max, ulong.MaxValue);
        BinaryPrimitives.WriteUInt16LittleEndian(max.AsSpan(8), 0x7FFE);
        _memory.Write(Data, max);
        Assert.Equal(ExitReason.InstructionLimit, Run(a => { a.fld(__tword_ptr[rdi]); a.fadd(st0, st0); }, 2));
        Float80 result = _vcpu.State.Fpr[_vcpu.State.FpuTop];
        Assert.Equal(0x7FFF - 0x6000, result.SignExponent);
        Assert.Equal(ulong.MaxValue, result.Significand);
        Assert.NotEqual(0, _vcpu.State.Fsw & (int)FloatFlags.Overflow);
    }

    [Fact]
    public void EnvironmentLayoutsRoundTrip()
    {
        var state = new CpuState { Fcw = 0x0A7F, Fsw = 0x4121, FpuTop = 5, Ftw = 0b1010_0001, Fip = 0x12345, Fdp = 0x6789A, Fop = 0x5AB, Fcs = 0x1B, Fds = 0x23 };
        foreach ((int size, bool real) in new[] { (14, false), (28, false), (14, true), (28, true) })
        {
            byte[] env = new byte[size];
            X87Environment.Encode(state, env, real);
            var loaded = new CpuState();
            X87Environment.Decode(ref loaded, env, real);
            Assert.Equal(state.Fcw, loaded.Fcw);
            Assert.Equal(state.FswWithTop, loaded.FswWithTop);
            Assert.Equal(state.Ftw, loaded.Ftw);
            Assert.Equal(real ? (ushort)0x5AB : size == 28 ? (ushort)0x5AB : (ushort)0, loaded.Fop);
            Assert.Equal(size == 14 && !real ? 0x2345UL : 0x12345UL, loaded.Fip);
            Assert.Equal(size == 14 && !real ? 0x789AUL : 0x6789AUL, loaded.Fdp);
        }

        // Protected 32-bit layout: FCS and FOP share the dword at 16.
        byte[] wide = new byte[28];
        X87Environment.Encode(state, wide, real: false);
        Assert.Equal(0x05AB_001Bu, BinaryPrimitives.ReadUInt32LittleEndian(wide.AsSpan(16)));
    }

    [Fact]
    public void SaveStoresTheStackAndInitializes()
    {
        Assert.Equal(ExitReason.InstructionLimit, Run(a => { a.fld1(); a.fldpi(); a.fnsave(__[rdi]); }, 3));
        byte[] image = new byte[108];
        _memory.Read(Data, image);
        Assert.Equal(0x0FFFu, BinaryPrimitives.ReadUInt16LittleEndian(image.AsSpan(8)) & 0xF000u | 0x0FFF);
        Assert.Equal(0x4000, BinaryPrimitives.ReadUInt16LittleEndian(image.AsSpan(28 + 8)));
        Assert.Equal(0x3FFF, BinaryPrimitives.ReadUInt16LittleEndian(image.AsSpan(38 + 8)));
        Assert.Equal(X87Status.DefaultControlWord, _vcpu.State.Fcw);
        Assert.Equal(0, _vcpu.State.Ftw);

        Assert.Equal(ExitReason.InstructionLimit, Run(a => a.frstor(__[rdi]), 1));
        Assert.Equal(Math.PI, St(0), 15);
        Assert.Equal(1.0, St(1));
    }

    [Fact]
    public void TranscendentalsAreCloseToTheirValues()
    {
        Assert.Equal(ExitReason.InstructionLimit, Run(a => { a.fld1(); a.fsin(); }, 2));
        Assert.Equal(Math.Sin(1), St(0), 14);
        Assert.Equal(ExitReason.InstructionLimit, Run(a => { a.fld1(); a.fptan(); }, 2));
        Assert.Equal(1.0, St(0));
        Assert.Equal(Math.Tan(1), St(1), 14);
        Assert.Equal(ExitReason.InstructionLimit, Run(a => { a.fninit(); a.fld1(); a.fld1(); a.fadd(st0, st0); a.fadd(st0, st0); a.fyl2x(); }, 6));
        Assert.Equal(2.0, St(0));
        Assert.Equal(ExitReason.InstructionLimit, Run(a => { a.fninit(); a.fld1(); a.fld1(); a.fpatan(); }, 4));
        Assert.Equal(Math.PI / 4, St(0), 15);
        Assert.Equal(ExitReason.InstructionLimit, Run(a => { a.fninit(); a.fld1(); a.fsincos(); }, 3));
        Assert.Equal(Math.Cos(1), St(0), 15);
        Assert.Equal(Math.Sin(1), St(1), 15);
    }

    public void Dispose()
    {
        _vcpu.Dispose();
        _memory.Dispose();
    }
}
