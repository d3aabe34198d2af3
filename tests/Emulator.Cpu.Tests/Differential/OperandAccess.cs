using System.Buffers.Binary;
using Iced.Intel;

namespace Emulator.Cpu.Tests.Differential;

/// <summary>Reads and writes an operand's current value in a case's input (registers, including AH..BH, or scratch memory).</summary>
public static class OperandAccess
{
    public static GeneralRegister FullRegister(Register register) => (GeneralRegister)(register.GetFullRegister() - Register.RAX);

    public static bool IsHighByte(Register register) => register is Register.AH or Register.CH or Register.DH or Register.BH;

    public static ulong Read(SnippetOperand operand, int bits, RegisterSnapshot registers, byte[] memory)
    {
        ulong mask = OperandValues.Mask(bits);
        if (operand.Kind == OperandKind.Memory)
        {
            return BinaryPrimitives.ReadUInt64LittleEndian(Window(memory, operand.Displacement)) & mask;
        }

        int shift = IsHighByte(operand.Register) ? 8 : 0;
        return (registers[FullRegister(operand.Register)] >> shift) & mask;
    }

    public static void Write(SnippetOperand operand, int bits, ulong value, RegisterSnapshot registers, byte[] memory)
    {
        if (operand.Kind == OperandKind.Memory)
        {
            Span<byte> window = Window(memory, operand.Displacement);
            ulong old = BinaryPrimitives.ReadUInt64LittleEndian(window);
            BinaryPrimitives.WriteUInt64LittleEndian(window, OperandValues.Merge(old, value, bits));
            return;
        }

        GeneralRegister full = FullRegister(operand.Register);
        int shift = IsHighByte(operand.Register) ? 8 : 0;
        ulong mask = OperandValues.Mask(bits) << shift;
        registers[full] = (registers[full] & ~mask) | ((value << shift) & mask);
    }

    private static Span<byte> Window(byte[] memory, int displacement) => memory.AsSpan(displacement, sizeof(ulong));
}
