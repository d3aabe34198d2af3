using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// Vector-to-general-register extractions: PMOVMSKB (byte sign bits), MOVMSKPS/MOVMSKPD (element
/// sign bits) and PEXTRW (one word, zero-extended). The general destination is written whole
/// (32-bit writes zero-extend).
/// </summary>
public static class VectorExtraction
{
    private const OperandRegisters Registers = OperandRegisters.Mmx | OperandRegisters.Xmm | OperandRegisters.General;

    public static void AddTo(DispatchTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        table.Add(Mnemonic.Pmovmskb, (ExecutionContext c, in Instruction i) => Extract(c, i, SignBits(1)), registers: Registers);
        table.Add(Mnemonic.Movmskps, (ExecutionContext c, in Instruction i) => Extract(c, i, SignBits(4)), registers: Registers);
        table.Add(Mnemonic.Movmskpd, (ExecutionContext c, in Instruction i) => Extract(c, i, SignBits(8)), registers: Registers);

        // Only the MMX/SSE2 register forms: the memory-capable 0F 3A 15 encoding is SSE4.1, not modelled.
        InstructionHandler extractWord = (ExecutionContext c, in Instruction i) =>
            Extract(c, i, static (ReadOnlySpan<byte> v, int width, byte imm) =>
            {
                int index = imm & ((width / 2) - 1);
                return (ulong)(v[2 * index] | (v[(2 * index) + 1] << 8));
            });
        foreach (Code code in new[] { Code.Pextrw_r32_mm_imm8, Code.Pextrw_r64_mm_imm8, Code.Pextrw_r32_xmm_imm8, Code.Pextrw_r64_xmm_imm8 })
        {
            table.Add(code, extractWord, Registers);
        }
    }

    private delegate ulong Extraction(ReadOnlySpan<byte> value, int width, byte immediate);

    private static Extraction SignBits(int elementSize) => (value, width, _) =>
    {
        ulong mask = 0;
        for (int e = 0; e < width / elementSize; e++)
        {
            mask |= (ulong)(value[(e * elementSize) + elementSize - 1] >> 7) << e;
        }

        return mask;
    };

    private static ExitReason Extract(ExecutionContext cpu, in Instruction instruction, Extraction extraction)
    {
        if (!VectorAccess.TryCheckAvailable(cpu, instruction))
        {
            return ExitReason.Exception;
        }

        Register register = instruction.Op1Register;
        XmmRegister value = VectorAccess.ReadRegister(cpu, register);
        int width = register.IsMM() ? 8 : 16;
        byte immediate = instruction.OpCount > 2 ? (byte)instruction.GetImmediate(2) : (byte)0;
        cpu.WriteRegister(instruction.Op0Register, extraction(VectorAccess.Bytes(ref value), width, immediate));
        VectorAccess.Retire(cpu, instruction);
        return ExitReason.Continue;
    }
}
