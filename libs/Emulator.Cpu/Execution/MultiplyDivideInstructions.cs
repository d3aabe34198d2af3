using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// Intel SDM vol. 2 MUL, IMUL (one, two and three operands), DIV, IDIV. CF=OF report a product that
/// does not fit the low half (MUL, one-operand IMUL) or the destination (two/three-operand IMUL).
/// SF ZF AF PF after a multiply are undefined: set from the low half, AF clear, as QEMU does.
/// DIV/IDIV raise #DE on a zero divisor or a quotient that does not fit, and leave the (undefined)
/// flags unchanged.
/// </summary>
public static class MultiplyDivideInstructions
{
    public static void AddTo(DispatchTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        table.Add(Mnemonic.Mul, Mul);
        table.Add(Mnemonic.Imul, Imul);
        table.Add(Mnemonic.Div, Div);
        table.Add(Mnemonic.Idiv, Idiv);
    }

    private static ExitReason Mul(ExecutionContext cpu, in Instruction instruction)
    {
        int size = ExecutionContext.OperandSize(instruction, 0);
        if (!cpu.TryReadOperand(instruction, 0, size, out ulong b))
        {
            return ExitReason.Exception;
        }

        ulong a = cpu.ReadRegister(ExecutionContext.Gpr(0, size));
        ulong low;
        ulong high;
        if (size == 8)
        {
            high = Math.BigMul(a, b, out low);
        }
        else
        {
            ulong product = a * b;
            low = product & FlagMath.Mask(size);
            high = product >> (size * 8);
        }

        WriteDoubleResult(cpu, size, low, high);
        ulong overflow = high != 0 ? RflagsBits.CF | RflagsBits.OF : 0;
        cpu.SetStatusFlags(FlagMath.Result(low, size) | overflow);
        return ExitReason.Continue;
    }

    private static ExitReason Imul(ExecutionContext cpu, in Instruction instruction)
    {
        int size = ExecutionContext.OperandSize(instruction, 0);
        if (instruction.OpCount == 1)
        {
            if (!cpu.TryReadOperand(instruction, 0, size, out ulong source))
            {
                return ExitReason.Exception;
            }

            ulong accumulator = cpu.ReadRegister(ExecutionContext.Gpr(0, size));
            (ulong low, ulong high, bool overflow) = SignedProduct(accumulator, source, size);
            WriteDoubleResult(cpu, size, low, high);
            cpu.SetStatusFlags(FlagMath.Result(low, size) | (overflow ? RflagsBits.CF | RflagsBits.OF : 0));
            return ExitReason.Continue;
        }

        int first = instruction.OpCount == 2 ? 0 : 1;
        int second = instruction.OpCount == 2 ? 1 : 2;
        if (!cpu.TryReadOperand(instruction, first, size, out ulong a) || !cpu.TryReadOperand(instruction, second, size, out ulong b))
        {
            return ExitReason.Exception;
        }

        (ulong result, _, bool truncated) = SignedProduct(a, b, size);
        cpu.WriteRegister(instruction.Op0Register, result);
        cpu.SetStatusFlags(FlagMath.Result(result, size) | (truncated ? RflagsBits.CF | RflagsBits.OF : 0));
        return ExitReason.Continue;
    }

    /// <summary>The signed product's low and high halves (each masked to <paramref name="size"/>) and whether the high half is more than the low half's sign.</summary>
    private static (ulong Low, ulong High, bool Overflow) SignedProduct(ulong a, ulong b, int size)
    {
        ulong mask = FlagMath.Mask(size);
        if (size == 8)
        {
            long high = Math.BigMul((long)a, (long)b, out long low);
            return ((ulong)low, (ulong)high, high != (low >> 63));
        }

        long product = FlagMath.SignExtend(a, size) * FlagMath.SignExtend(b, size);
        ulong lowPart = (ulong)product & mask;
        ulong highPart = (ulong)(product >> (size * 8)) & mask;
        return (lowPart, highPart, product != FlagMath.SignExtend(lowPart, size));
    }

    /// <summary>AX for bytes (AH:AL), otherwise rDX:rAX.</summary>
    private static void WriteDoubleResult(ExecutionContext cpu, int size, ulong low, ulong high)
    {
        if (size == 1)
        {
            cpu.WriteRegister(Register.AX, (high << 8) | low);
            return;
        }

        cpu.WriteRegister(ExecutionContext.Gpr(0, size), low);
        cpu.WriteRegister(ExecutionContext.Gpr(2, size), high);
    }

    private static UInt128 ReadDividend(ExecutionContext cpu, int size)
    {
        if (size == 1)
        {
            return cpu.ReadRegister(Register.AX);
        }

        ulong high = cpu.ReadRegister(ExecutionContext.Gpr(2, size));
        ulong low = cpu.ReadRegister(ExecutionContext.Gpr(0, size));
        return ((UInt128)high << (size * 8)) | low;
    }

    private static void WriteQuotient(ExecutionContext cpu, int size, ulong quotient, ulong remainder)
    {
        if (size == 1)
        {
            cpu.WriteRegister(Register.AX, ((remainder & 0xFF) << 8) | (quotient & 0xFF));
            return;
        }

        cpu.WriteRegister(ExecutionContext.Gpr(0, size), quotient);
        cpu.WriteRegister(ExecutionContext.Gpr(2, size), remainder);
    }

    private static ExitReason Div(ExecutionContext cpu, in Instruction instruction)
    {
        int size = ExecutionContext.OperandSize(instruction, 0);
        if (!cpu.TryReadOperand(instruction, 0, size, out ulong divisor))
        {
            return ExitReason.Exception;
        }

        if (divisor == 0)
        {
            return cpu.Raise(ExceptionVector.DivideError);
        }

        UInt128 dividend = ReadDividend(cpu, size);
        UInt128 quotient = dividend / divisor;
        if (quotient > FlagMath.Mask(size))
        {
            return cpu.Raise(ExceptionVector.DivideError);
        }

        WriteQuotient(cpu, size, (ulong)quotient, (ulong)(dividend % divisor));
        return ExitReason.Continue;
    }

    private static ExitReason Idiv(ExecutionContext cpu, in Instruction instruction)
    {
        int size = ExecutionContext.OperandSize(instruction, 0);
        if (!cpu.TryReadOperand(instruction, 0, size, out ulong rawDivisor))
        {
            return ExitReason.Exception;
        }

        long divisor = FlagMath.SignExtend(rawDivisor, size);
        if (divisor == 0)
        {
            return cpu.Raise(ExceptionVector.DivideError);
        }

        // Sign-extend the double-width dividend to 128 bits.
        int shift = 128 - (size * 16);
        Int128 dividend = (Int128)(ReadDividend(cpu, size) << shift) >> shift;
        if (dividend == Int128.MinValue && divisor == -1)
        {
            return cpu.Raise(ExceptionVector.DivideError);
        }

        Int128 quotient = dividend / divisor;
        Int128 limit = (Int128)1 << ((size * 8) - 1);
        if (quotient >= limit || quotient < -limit)
        {
            return cpu.Raise(ExceptionVector.DivideError);
        }

        Int128 remainder = dividend % divisor;
        WriteQuotient(cpu, size, (ulong)(long)quotient & FlagMath.Mask(size), (ulong)(long)remainder & FlagMath.Mask(size));
        return ExitReason.Continue;
    }
}
