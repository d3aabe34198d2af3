using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// Intel SDM vol. 2, IN and OUT: AL/AX/EAX to or from the port in an 8-bit immediate or in DX, through
/// <see cref="SystemServices.Ports"/> (no bus: reads all ones, writes go nowhere). The I/O permission
/// check (<see cref="IoPermission"/>) comes first; a refused access touches neither the port nor a register.
/// </summary>
public static class PortInstructions
{
    public static void AddTo(DispatchTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        foreach (Code code in new[] { Code.In_AL_imm8, Code.In_AX_imm8, Code.In_EAX_imm8, Code.In_AL_DX, Code.In_AX_DX, Code.In_EAX_DX })
        {
            table.Add(code, In);
        }

        foreach (Code code in new[] { Code.Out_imm8_AL, Code.Out_imm8_AX, Code.Out_imm8_EAX, Code.Out_DX_AL, Code.Out_DX_AX, Code.Out_DX_EAX })
        {
            table.Add(code, Out);
        }

        PortStringInstructions.AddTo(table);
    }

    /// <summary>Reads <paramref name="size"/> bytes from <paramref name="port"/>; unassigned ports (or no bus) read all ones.</summary>
    internal static uint Read(ExecutionContext cpu, ushort port, int size)
    {
        uint mask = (uint)FlagMath.Mask(size);
        return cpu.System.Ports is { } ports ? ports.Read(port, size) & mask : mask;
    }

    internal static void Write(ExecutionContext cpu, ushort port, int size, uint value) =>
        cpu.System.Ports?.Write(port, size, value & (uint)FlagMath.Mask(size));

    /// <summary>The port operand: an immediate, or DX.</summary>
    private static ushort PortOf(ExecutionContext cpu, in Instruction instruction, int op) =>
        instruction.GetOpKind(op) == OpKind.Register
            ? (ushort)cpu.ReadRegister(Register.DX)
            : (ushort)instruction.GetImmediate(op);

    private static ExitReason In(ExecutionContext cpu, in Instruction instruction)
    {
        Register accumulator = instruction.Op0Register;
        int size = accumulator.GetSize();
        ushort port = PortOf(cpu, instruction, 1);
        if (!IoPermission.Check(cpu, port, size, out CpuFault fault))
        {
            return cpu.Raise(fault);
        }

        cpu.WriteRegister(accumulator, Read(cpu, port, size));
        return ExitReason.Continue;
    }

    private static ExitReason Out(ExecutionContext cpu, in Instruction instruction)
    {
        Register accumulator = instruction.Op1Register;
        int size = accumulator.GetSize();
        ushort port = PortOf(cpu, instruction, 0);
        if (!IoPermission.Check(cpu, port, size, out CpuFault fault))
        {
            return cpu.Raise(fault);
        }

        Write(cpu, port, size, (uint)cpu.ReadRegister(accumulator));
        return ExitReason.Continue;
    }
}
