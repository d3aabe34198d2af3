using System.Buffers.Binary;
using Emulator.Memory;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Cpu.Tests.X87;

/// <summary>
/// FLDENV/FRSTOR load FCW as FLDCW does (bit 6 set, bits 7 and 13-15 clear) and recompute ES and B from the loaded
/// exception flags and masks, whatever the image holds there (found by the host differential).
/// </summary>
public sealed class X87EnvironmentLoadTests : IDisposable
{
    private const ulong Code = 0x1000;
    private const ulong Data = 0x4000;
    private readonly GuestMemory _memory = GuestMemory.Create((0, 0x10000));
    private readonly Vcpu _vcpu = new();
    private readonly Interpreter _interpreter;

    public X87EnvironmentLoadTests()
    {
        _interpreter = new Interpreter(_vcpu, new FlatMemory(_memory));
        FlatModeSetup.LongMode64(ref _vcpu.State, Code, 0x8000);
        X87Control.Reset(ref _vcpu.State);
        _vcpu.State.Register(GeneralRegister.Rdi) = Data;
    }

    public void Dispose()
    {
        _vcpu.Dispose();
        _memory.Dispose();
    }

    [Theory]
    [InlineData(0xFFFF, 0x003A, 0x1F7F, 0x003A)]
    [InlineData(0x7B0C, 0x2ABA, 0x1B4C, 0xAABA)]
    [InlineData(0x32DF, 0x2E2C, 0x125F, 0xAEAC)]
    [InlineData(0x037F, 0x80BF, 0x037F, 0x003F)]
    public void LoadedControlAndStatusWordsAreNormalised(int fcw, int fsw, int expectedFcw, int expectedFsw)
    {
        byte[] env = new byte[28];
        BinaryPrimitives.WriteUInt16LittleEndian(env, (ushort)fcw);
        BinaryPrimitives.WriteUInt16LittleEndian(env.AsSpan(4), (ushort)fsw);
        BinaryPrimitives.WriteUInt16LittleEndian(env.AsSpan(8), 0xFFFF);
        _memory.Write(Data, env);
        var a = new Assembler(64);
        a.fldenv(__[rdi]);
        using var stream = new MemoryStream();
        a.Assemble(new StreamCodeWriter(stream), Code);
        _memory.Write(Code, stream.ToArray());
        _interpreter.Blocks.InvalidateAll();
        _interpreter.Run(1);
        Assert.Equal(Code + (ulong)stream.Length, _vcpu.State.Rip);
        Assert.Equal((ushort)expectedFcw, _vcpu.State.Fcw);
        Assert.Equal((ushort)(expectedFsw & ~0x3800), (ushort)(_vcpu.State.Fsw & ~0x3800));
    }
}
