using System.Buffers.Binary;

namespace Emulator.Cpu.Tests.X87;

/// <summary>
/// Builds input blocks: an FRSTOR image (32-bit protected layout, as 64-bit mode uses) with a random TOP,
/// a stack of the form's depth (sometimes shallower for underflow, sometimes full for overflow), all
/// exceptions masked with a random RC and PC, and the memory operand.
/// </summary>
public sealed class X87CaseBuilder(Random random)
{
    private readonly X87Values _values = new(random);

    public byte[] Build(X87Form form)
    {
        ArgumentNullException.ThrowIfNull(form);
        byte[] block = new byte[X87Block.Size];
        Span<byte> image = block.AsSpan(X87Block.Input, X87Block.ImageSize);
        int pc = new[] { 0, 2, 3, 3 }[random.Next(4)];
        int rc = random.Next(4);
        ushort fcw = (ushort)(0x7F | (pc << 8) | (rc << 10));
        int top = random.Next(8);
        int depth = random.Next(10) switch
        {
            0 => random.Next(form.Depth + 1),
            1 => 8,
            _ => Math.Min(8, form.Depth + random.Next(3)),
        };
        int fsw = top << 11;
        if (random.Next(4) == 0)
        {
            fsw |= random.Next(0x40) | (random.Next(16) is var c ? ((c & 7) << 8) | ((c & 8) << 11) : 0);
        }

        BinaryPrimitives.WriteUInt16LittleEndian(image, fcw);
        BinaryPrimitives.WriteUInt16LittleEndian(image[4..], (ushort)fsw);
        int tags = 0xFFFF;
        for (int st = 0; st < depth; st++)
        {
            int physical = (top + st) & 7;
            tags &= ~(3 << (2 * physical));
        }

        BinaryPrimitives.WriteUInt16LittleEndian(image[8..], (ushort)tags);
        Float80 previous = _values.Extended();
        for (int st = 0; st < 8; st++)
        {
            Float80 value = st > 0 && random.Next(3) == 0 ? _values.Near(previous) : _values.Extended();
            BinaryPrimitives.WriteUInt64LittleEndian(image[(28 + (10 * st))..], value.Significand);
            BinaryPrimitives.WriteUInt16LittleEndian(image[(36 + (10 * st))..], value.SignExponent);
            previous = value;
        }

        Span<byte> operand = block.AsSpan(X87Block.Operand, X87Block.OperandSize);
        random.NextBytes(operand);
        Float80 top0 = X87Memory.Decode80(image[28..]);
        switch (form.Operand)
        {
            case X87OperandKind.Single:
                BinaryPrimitives.WriteUInt32LittleEndian(operand, random.Next(4) == 0 ? Float80Arithmetic.ToFloat32(_values.Near(top0), new FloatStatus()) : _values.Single());
                break;
            case X87OperandKind.Double:
                BinaryPrimitives.WriteUInt64LittleEndian(operand, random.Next(4) == 0 ? Float80Arithmetic.ToFloat64(_values.Near(top0), new FloatStatus()) : _values.Double());
                break;
            case X87OperandKind.Extended:
                X87Memory.Encode80(operand, _values.Extended());
                break;
            case X87OperandKind.Int16:
                BinaryPrimitives.WriteInt16LittleEndian(operand, (short)_values.Integer(16));
                break;
            case X87OperandKind.Int32:
                BinaryPrimitives.WriteInt32LittleEndian(operand, (int)_values.Integer(32));
                break;
            case X87OperandKind.Int64:
                BinaryPrimitives.WriteInt64LittleEndian(operand, _values.Integer(64));
                break;
            case X87OperandKind.Bcd:
                _values.Bcd().CopyTo(operand);
                break;
            case X87OperandKind.ControlWord:
                BinaryPrimitives.WriteUInt16LittleEndian(operand, (ushort)(random.Next(0x10000) | 0x3F));
                break;
            default:
                break;
        }

        block[X87Block.FlagsIn] = (byte)(random.Next(256) & 0xD5);
        return block;
    }
}
