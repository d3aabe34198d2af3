using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// MMX/SSE/SSE2/SSE3 data movement (SDM vol. 2 per mnemonic): whole-register and memory moves
/// (MOVD/MOVQ, MOVDQA/U, MOVAPS/UPS/APD/UPD, MOVNT*, LDDQU, MOVQ2DQ, MOVDQ2Q), the half and scalar
/// moves that merge into the destination (MOVLPS/HPS/LPD/HPD, MOVHLPS, MOVLHPS, MOVSS, MOVSD) and
/// the byte-masked stores MASKMOVQ/MASKMOVDQU.
/// </summary>
public static class VectorMoves
{
    private const OperandRegisters All = OperandRegisters.Mmx | OperandRegisters.Xmm | OperandRegisters.General;

    public static void AddTo(DispatchTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        foreach (Mnemonic m in new[]
        {
            Mnemonic.Movd, Mnemonic.Movdqa, Mnemonic.Movdqu, Mnemonic.Movaps, Mnemonic.Movups, Mnemonic.Movapd,
            Mnemonic.Movupd, Mnemonic.Movntdq, Mnemonic.Movntps, Mnemonic.Movntpd, Mnemonic.Movntq, Mnemonic.Lddqu,
            Mnemonic.Movdq2q,
        })
        {
            table.Add(m, Move, registers: All);
        }

        table.Add(Mnemonic.Movnti, (ExecutionContext c, in Instruction i) => Move(c, i, sse: true));
        table.Add(Mnemonic.Movq, MoveQuadword, registers: All);
        table.Add(Mnemonic.Movq2dq, MoveQuadword, registers: All);
        table.Add(Mnemonic.Movss, (ExecutionContext c, in Instruction i) => MoveScalar(c, i, 0xFFFF_FFFFUL), registers: OperandRegisters.Xmm);
        table.Add(Code.Movsd_xmm_xmmm64, (ExecutionContext c, in Instruction i) => MoveScalar(c, i, ulong.MaxValue), OperandRegisters.Xmm);
        table.Add(Code.Movsd_xmmm64_xmm, (ExecutionContext c, in Instruction i) => MoveScalar(c, i, ulong.MaxValue), OperandRegisters.Xmm);
        table.Add(Mnemonic.Movlps, (ExecutionContext c, in Instruction i) => MoveHalf(c, i, false, false), registers: OperandRegisters.Xmm);
        table.Add(Mnemonic.Movlpd, (ExecutionContext c, in Instruction i) => MoveHalf(c, i, false, false), registers: OperandRegisters.Xmm);
        table.Add(Mnemonic.Movhps, (ExecutionContext c, in Instruction i) => MoveHalf(c, i, true, true), registers: OperandRegisters.Xmm);
        table.Add(Mnemonic.Movhpd, (ExecutionContext c, in Instruction i) => MoveHalf(c, i, true, true), registers: OperandRegisters.Xmm);
        table.Add(Mnemonic.Movhlps, (ExecutionContext c, in Instruction i) => MoveHalf(c, i, false, true), registers: OperandRegisters.Xmm);
        table.Add(Mnemonic.Movlhps, (ExecutionContext c, in Instruction i) => MoveHalf(c, i, true, false), registers: OperandRegisters.Xmm);
        table.Add(Mnemonic.Maskmovq, MaskedStore, registers: All);
        table.Add(Mnemonic.Maskmovdqu, MaskedStore, registers: All);
    }

    private static ExitReason Move(ExecutionContext cpu, in Instruction instruction) => Move(cpu, instruction, false);

    private static ExitReason Move(ExecutionContext cpu, in Instruction instruction, bool sse)
    {
        if (!VectorAccess.TryCheckAvailable(cpu, instruction, sse)
            || !VectorAccess.TryRead(cpu, instruction, 1, out XmmRegister value)
            || !VectorAccess.TryWrite(cpu, instruction, 0, value))
        {
            return ExitReason.Exception;
        }

        VectorAccess.Retire(cpu, instruction);
        return ExitReason.Continue;
    }

    /// <summary>MOVQ and MOVQ2DQ zero the upper quadword of an XMM destination whatever the source.</summary>
    private static ExitReason MoveQuadword(ExecutionContext cpu, in Instruction instruction)
    {
        if (!VectorAccess.TryCheckAvailable(cpu, instruction)
            || !VectorAccess.TryRead(cpu, instruction, 1, out XmmRegister value))
        {
            return ExitReason.Exception;
        }

        value.High = 0;
        if (!VectorAccess.TryWrite(cpu, instruction, 0, value))
        {
            return ExitReason.Exception;
        }

        VectorAccess.Retire(cpu, instruction);
        return ExitReason.Continue;
    }

    /// <summary>MOVSS/MOVSD: register to register merges the low element; a load zeroes the rest; a store writes the element.</summary>
    private static ExitReason MoveScalar(ExecutionContext cpu, in Instruction instruction, ulong mask)
    {
        if (!VectorAccess.TryCheckAvailable(cpu, instruction)
            || !VectorAccess.TryRead(cpu, instruction, 1, out XmmRegister value))
        {
            return ExitReason.Exception;
        }

        if (instruction.Op0Kind == OpKind.Register && instruction.Op1Kind == OpKind.Register)
        {
            XmmRegister destination = VectorAccess.ReadRegister(cpu, instruction.Op0Register);
            destination.Low = (destination.Low & ~mask) | (value.Low & mask);
            value = destination;
        }

        return VectorAccess.TryWrite(cpu, instruction, 0, value) ? ExitReason.Continue : ExitReason.Exception;
    }

    /// <summary>Moves one quadword: from the source's high (or low) half into the destination's high (or low) half, keeping the other half; a memory operand is the quadword itself.</summary>
    private static ExitReason MoveHalf(ExecutionContext cpu, in Instruction instruction, bool toHigh, bool fromHigh)
    {
        if (!VectorAccess.TryCheckAvailable(cpu, instruction)
            || !VectorAccess.TryRead(cpu, instruction, 1, out XmmRegister source))
        {
            return ExitReason.Exception;
        }

        if (instruction.Op0Kind == OpKind.Memory)
        {
            // MOVHPS/MOVHPD m64, xmm store the high half; MOVLPS/MOVLPD m64, xmm the low half.
            var stored = new XmmRegister { Low = fromHigh ? source.High : source.Low };
            return VectorAccess.TryWrite(cpu, instruction, 0, stored) ? ExitReason.Continue : ExitReason.Exception;
        }

        ulong quadword = instruction.Op1Kind == OpKind.Memory || !fromHigh ? source.Low : source.High;
        XmmRegister destination = VectorAccess.ReadRegister(cpu, instruction.Op0Register);
        if (toHigh)
        {
            destination.High = quadword;
        }
        else
        {
            destination.Low = quadword;
        }

        VectorAccess.WriteRegister(cpu, instruction.Op0Register, destination);
        return ExitReason.Continue;
    }

    /// <summary>MASKMOVQ/MASKMOVDQU: the bytes of the first register whose mask byte has its top bit set go to DS:rDI (segment overridable), one contiguous run at a time.</summary>
    private static ExitReason MaskedStore(ExecutionContext cpu, in Instruction instruction)
    {
        if (!VectorAccess.TryCheckAvailable(cpu, instruction))
        {
            return ExitReason.Exception;
        }

        XmmRegister data = VectorAccess.ReadRegister(cpu, instruction.Op1Register);
        XmmRegister mask = VectorAccess.ReadRegister(cpu, instruction.Op2Register);
        int width = instruction.Op1Register.IsMM() ? 8 : 16;
        int addressSize = instruction.Op0Kind switch { OpKind.MemorySegDI => 2, OpKind.MemorySegEDI => 4, _ => 8 };
        ulong offset = cpu.ReadRegister(Register.RDI) & FlagMath.Mask(addressSize);
        if (!cpu.TryApplySegment(instruction.MemorySegment, offset, width, MemoryAccess.Write, out ulong linear))
        {
            return ExitReason.Exception;
        }

        ReadOnlySpan<byte> bytes = VectorAccess.Bytes(ref data);
        ReadOnlySpan<byte> selected = VectorAccess.Bytes(ref mask);
        int start = 0;
        while (start < width)
        {
            if ((selected[start] & 0x80) == 0)
            {
                start++;
                continue;
            }

            int end = start;
            while (end < width && (selected[end] & 0x80) != 0)
            {
                end++;
            }

            if (!cpu.Memory.TryWrite(linear + (ulong)start, bytes[start..end], MemoryAccess.Write, out CpuFault fault))
            {
                return cpu.Raise(fault);
            }

            start = end;
        }

        VectorAccess.Retire(cpu, instruction);
        return ExitReason.Continue;
    }
}
