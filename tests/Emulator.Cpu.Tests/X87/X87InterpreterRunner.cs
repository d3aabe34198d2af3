using Emulator.Memory;

namespace Emulator.Cpu.Tests.X87;

/// <summary>Runs an x87 snippet in the interpreter: a 64-bit flat vCPU, the block at <see cref="BlockAddress"/> in RDI.</summary>
public sealed class X87InterpreterRunner : IDisposable
{
    public const ulong CodeAddress = 0x1000;
    public const ulong BlockAddress = 0x4000;
    private const ulong StackTop = 0x8000;
    private const byte Hlt = 0xF4;

    private readonly GuestMemory _memory = GuestMemory.Create((0, 0x10000));
    private readonly Vcpu _vcpu = new();
    private readonly Interpreter _interpreter;

    public X87InterpreterRunner()
    {
        _interpreter = new Interpreter(_vcpu, new FlatMemory(_memory));
    }

    public byte[] Run(byte[] snippet, byte[] block)
    {
        ArgumentNullException.ThrowIfNull(snippet);
        ArgumentNullException.ThrowIfNull(block);

        // RET goes to the HLT pushed below as the return address.
        _memory.Write(CodeAddress, [.. snippet, Hlt]);
        _interpreter.Blocks.InvalidateAll();
        _memory.Write(BlockAddress, block);
        ref CpuState state = ref _vcpu.State;
        FlatModeSetup.LongMode64(ref state, CodeAddress, StackTop - 8);
        _memory.Write(StackTop - 8, BitConverter.GetBytes(CodeAddress + (ulong)snippet.Length));
        state.Register(GeneralRegister.Rdi) = BlockAddress;
        state.Cr0 |= Cr0Bits.NE;
        ExitReason reason = _interpreter.Run(64);
        Assert.True(reason == ExitReason.Halted, $"interpreter stopped with {reason} ({_interpreter.LastFault}) at {state.Rip:x}");
        byte[] result = new byte[X87Block.Size];
        _memory.Read(BlockAddress, result);
        return result;
    }

    public void Dispose()
    {
        _vcpu.Dispose();
        _memory.Dispose();
    }
}
