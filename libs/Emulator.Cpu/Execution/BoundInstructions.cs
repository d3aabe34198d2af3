using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// Intel SDM vol. 2 BOUND (legacy and compatibility mode; the decoder has no BOUND in 64-bit mode):
/// the signed index in the register must lie within the two signed bounds at the memory operand,
/// lower first, else #BR (a fault: the instruction is restarted after the handler).
/// </summary>
public static class BoundInstructions
{
    public const byte BoundRangeExceeded = 5;

    public static void AddTo(DispatchTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        table.Add(Mnemonic.Bound, Bound);
    }

    private static ExitReason Bound(ExecutionContext cpu, in Instruction instruction)
    {
        int size = instruction.Op0Register.GetSize();
        ulong offset = cpu.EffectiveAddress(instruction);
        if (!cpu.TryReadSegmented(instruction.MemorySegment, offset, size, out ulong lower) ||
            !cpu.TryReadSegmented(instruction.MemorySegment, offset + (ulong)size, size, out ulong upper))
        {
            return ExitReason.Exception;
        }

        ulong index = cpu.ReadRegister(instruction.Op0Register);
        int bits = 64 - (size * 8);
        long i = (long)(index << bits) >> bits;
        long lo = (long)(lower << bits) >> bits;
        long hi = (long)(upper << bits) >> bits;
        return i < lo || i > hi ? cpu.Raise(BoundRangeExceeded) : ExitReason.Continue;
    }
}
