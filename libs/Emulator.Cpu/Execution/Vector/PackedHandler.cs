using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// The common shape of packed MMX/SSE instructions: <c>op mm/xmm, mm/xmm/mem[, imm8]</c> (an
/// immediate-count shift reads its imm8 as the source). Faults come first, then the source read,
/// then the register write and the MMX state transition.
/// </summary>
public static class PackedHandler
{
    public const OperandRegisters Registers = OperandRegisters.Mmx | OperandRegisters.Xmm;

    public static InstructionHandler Of(PackedOperation operation) =>
        (ExecutionContext cpu, in Instruction instruction) => Run(cpu, instruction, operation);

    public static void Add(DispatchTable table, Mnemonic mnemonic, PackedOperation operation) =>
        table.Add(mnemonic, Of(operation), registers: Registers);

    public static ExitReason Run(ExecutionContext cpu, in Instruction instruction, PackedOperation operation)
    {
        if (!VectorAccess.TryCheckAvailable(cpu, instruction)
            || !VectorAccess.TryRead(cpu, instruction, 1, out XmmRegister source))
        {
            return ExitReason.Exception;
        }

        Register register = instruction.Op0Register;
        XmmRegister destination = VectorAccess.ReadRegister(cpu, register);
        byte immediate = instruction.OpCount > 2 ? (byte)instruction.GetImmediate(2) : (byte)0;
        operation(VectorAccess.Bytes(ref destination), VectorAccess.Bytes(ref source), VectorAccess.Width(instruction), immediate);
        VectorAccess.WriteRegister(cpu, register, destination);
        VectorAccess.Retire(cpu, instruction);
        return ExitReason.Continue;
    }
}
