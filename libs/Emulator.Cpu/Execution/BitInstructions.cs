using System.Buffers.Binary;
using System.Numerics;
using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// Intel SDM vol. 1, 7.3.7 "Bit and Byte Instructions"; vol. 2 BT, BTS, BTR, BTC, BSF, BSR, TZCNT,
/// LZCNT, POPCNT, BSWAP. BT* with a register offset on memory address the whole bit string (the
/// offset is signed and may reach outside the operand). Flags the manual leaves undefined are left
/// unchanged, except POPCNT which clears all but ZF. BSF/BSR with a zero source set ZF and leave the
/// destination unchanged (AMD's documented and Intel's actual behaviour). BSWAP of a 16-bit register
/// is undefined: it yields 0 in the low word, as Intel and QEMU do.
/// TZCNT/LZCNT run as TZCNT/LZCNT (BMI1/ABM semantics), not as their BSF/BSR fallbacks.
/// </summary>
public static class BitInstructions
{
    private enum BitOperation
    {
        Test,
        Set,
        Reset,
        Complement,
    }

    public static void AddTo(DispatchTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        table.Add(Mnemonic.Bt, (ExecutionContext c, in Instruction i) => BitTest(c, i, BitOperation.Test));
        table.Add(Mnemonic.Bts, (ExecutionContext c, in Instruction i) => BitTest(c, i, BitOperation.Set), lockable: true);
        table.Add(Mnemonic.Btr, (ExecutionContext c, in Instruction i) => BitTest(c, i, BitOperation.Reset), lockable: true);
        table.Add(Mnemonic.Btc, (ExecutionContext c, in Instruction i) => BitTest(c, i, BitOperation.Complement), lockable: true);
        table.Add(Mnemonic.Bsf, (ExecutionContext c, in Instruction i) => BitScan(c, i, reverse: false));
        table.Add(Mnemonic.Bsr, (ExecutionContext c, in Instruction i) => BitScan(c, i, reverse: true));
        table.Add(Mnemonic.Tzcnt, (ExecutionContext c, in Instruction i) => Count(c, i, leading: false));
        table.Add(Mnemonic.Lzcnt, (ExecutionContext c, in Instruction i) => Count(c, i, leading: true));
        table.Add(Mnemonic.Popcnt, Popcnt);
        table.Add(Mnemonic.Bswap, Bswap);
    }

    private static ExitReason BitTest(ExecutionContext cpu, in Instruction instruction, BitOperation operation)
    {
        int size = ExecutionContext.OperandSize(instruction, 0);
        int bits = size * 8;
        if (!cpu.TryReadOperand(instruction, 1, size, out ulong offset))
        {
            return ExitReason.Exception;
        }

        int bit = (int)(offset & (ulong)(bits - 1));
        MemoryAccess access = operation == BitOperation.Test ? MemoryAccess.Read : MemoryAccess.Write;
        ulong value;
        ulong linear = 0;
        bool inMemory = instruction.Op0Kind == OpKind.Memory;
        if (inMemory)
        {
            long displacement = 0;
            if (instruction.Op1Kind == OpKind.Register)
            {
                // Whole-operand steps of the signed bit offset.
                displacement = (FlagMath.SignExtend(offset, size) >> BitOperations.Log2((uint)bits)) * size;
            }

            ulong offsetInSegment = cpu.EffectiveAddress(instruction, (ulong)displacement);
            if (!cpu.TryApplySegment(instruction.MemorySegment, offsetInSegment, size, access, out linear)
                || !cpu.TryReadMemory(linear, size, out value, access))
            {
                return ExitReason.Exception;
            }
        }
        else
        {
            value = cpu.ReadRegister(instruction.Op0Register);
        }

        ulong mask = 1UL << bit;
        bool old = (value & mask) != 0;
        ulong result = operation switch
        {
            BitOperation.Set => value | mask,
            BitOperation.Reset => value & ~mask,
            BitOperation.Complement => value ^ mask,
            _ => value,
        };
        if (operation != BitOperation.Test)
        {
            if (inMemory)
            {
                if (!cpu.TryWriteMemory(linear, size, result))
                {
                    return ExitReason.Exception;
                }
            }
            else
            {
                cpu.WriteRegister(instruction.Op0Register, result);
            }
        }

        cpu.SetFlags(RflagsBits.CF, old ? RflagsBits.CF : 0);
        return ExitReason.Continue;
    }

    private static ExitReason BitScan(ExecutionContext cpu, in Instruction instruction, bool reverse)
    {
        int size = ExecutionContext.OperandSize(instruction, 0);
        if (!cpu.TryReadOperand(instruction, 1, size, out ulong source))
        {
            return ExitReason.Exception;
        }

        if (source == 0)
        {
            cpu.SetFlags(RflagsBits.ZF, RflagsBits.ZF);
            return ExitReason.Continue;
        }

        ulong index = reverse ? (ulong)(63 - BitOperations.LeadingZeroCount(source)) : (ulong)BitOperations.TrailingZeroCount(source);
        cpu.WriteRegister(instruction.Op0Register, index);
        cpu.SetFlags(RflagsBits.ZF, 0);
        return ExitReason.Continue;
    }

    private static ExitReason Count(ExecutionContext cpu, in Instruction instruction, bool leading)
    {
        int size = ExecutionContext.OperandSize(instruction, 0);
        int bits = size * 8;
        if (!cpu.TryReadOperand(instruction, 1, size, out ulong source))
        {
            return ExitReason.Exception;
        }

        ulong result = source == 0 ? (ulong)bits
            : leading ? (ulong)(BitOperations.LeadingZeroCount(source) - (64 - bits))
            : (ulong)BitOperations.TrailingZeroCount(source);
        cpu.WriteRegister(instruction.Op0Register, result);
        ulong flags = (source == 0 ? RflagsBits.CF : 0) | (result == 0 ? RflagsBits.ZF : 0);
        cpu.SetFlags(RflagsBits.CF | RflagsBits.ZF, flags);
        return ExitReason.Continue;
    }

    private static ExitReason Popcnt(ExecutionContext cpu, in Instruction instruction)
    {
        int size = ExecutionContext.OperandSize(instruction, 0);
        if (!cpu.TryReadOperand(instruction, 1, size, out ulong source))
        {
            return ExitReason.Exception;
        }

        cpu.WriteRegister(instruction.Op0Register, (ulong)BitOperations.PopCount(source));
        cpu.SetStatusFlags(source == 0 ? RflagsBits.ZF : 0);
        return ExitReason.Continue;
    }

    private static ExitReason Bswap(ExecutionContext cpu, in Instruction instruction)
    {
        Register register = instruction.Op0Register;
        ulong value = cpu.ReadRegister(register);
        ulong result = register.GetSize() switch
        {
            8 => BinaryPrimitives.ReverseEndianness(value),
            4 => BinaryPrimitives.ReverseEndianness((uint)value),
            _ => 0,
        };
        cpu.WriteRegister(register, result);
        return ExitReason.Continue;
    }
}
