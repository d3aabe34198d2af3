using System.Buffers.Binary;
using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// Intel SDM vol. 2, CMPXCHG8B/CMPXCHG16B: compare rDX:rAX with the memory operand; equal stores
/// rCX:rBX and sets ZF, else loads the operand into rDX:rAX and clears ZF. Only ZF changes. The
/// operand is written back in both cases (as the SDM's "ELSE DEST ← TEMP"), so a read-only page
/// faults either way, and the whole access completes or faults before any register changes.
/// CMPXCHG16B needs a 16-byte aligned operand, else #GP(0).
/// </summary>
public static class WideCompareExchangeInstructions
{
    public static void AddTo(DispatchTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        table.Add(Mnemonic.Cmpxchg8b, (ExecutionContext c, in Instruction i) => Exchange(c, i, 4), lockable: true);
        table.Add(Mnemonic.Cmpxchg16b, (ExecutionContext c, in Instruction i) => Exchange(c, i, 8), lockable: true);
    }

    /// <param name="half">Bytes in each half of the operand: 4 for CMPXCHG8B, 8 for CMPXCHG16B.</param>
    private static ExitReason Exchange(ExecutionContext cpu, in Instruction instruction, int half)
    {
        if (!cpu.TryLinearAddress(instruction, 2 * half, MemoryAccess.Write, out ulong linear))
        {
            return ExitReason.Exception;
        }

        if (half == 8 && (linear & 15) != 0)
        {
            return cpu.Raise(CpuFault.GeneralProtection());
        }

        Span<byte> operand = stackalloc byte[16];
        operand = operand[..(2 * half)];
        if (!cpu.Memory.TryRead(linear, operand, MemoryAccess.Write, out CpuFault fault))
        {
            return cpu.Raise(fault);
        }

        ulong low = Read(operand, half);
        ulong high = Read(operand[half..], half);
        Register ax = ExecutionContext.Gpr(0, half);
        Register dx = ExecutionContext.Gpr(2, half);
        bool equal = cpu.ReadRegister(ax) == low && cpu.ReadRegister(dx) == high;
        if (equal)
        {
            Write(operand, half, cpu.ReadRegister(ExecutionContext.Gpr(3, half)));
            Write(operand[half..], half, cpu.ReadRegister(ExecutionContext.Gpr(1, half)));
        }

        if (!cpu.Memory.TryWrite(linear, operand, MemoryAccess.Write, out fault))
        {
            return cpu.Raise(fault);
        }

        if (!equal)
        {
            cpu.WriteRegister(ax, low);
            cpu.WriteRegister(dx, high);
        }

        cpu.SetFlags(RflagsBits.ZF, equal ? RflagsBits.ZF : 0);
        return ExitReason.Continue;
    }

    private static ulong Read(ReadOnlySpan<byte> bytes, int size) =>
        size == 8 ? BinaryPrimitives.ReadUInt64LittleEndian(bytes) : BinaryPrimitives.ReadUInt32LittleEndian(bytes);

    private static void Write(Span<byte> bytes, int size, ulong value)
    {
        if (size == 8)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)value);
        }
    }
}
