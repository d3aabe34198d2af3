using System.Buffers.Binary;
using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>x87 memory operands: floats and integers of the instruction's memory size, 80-bit values, byte blocks.</summary>
public static class X87Memory
{
    public static bool TryRead(ExecutionContext c, ulong linear, Span<byte> destination, MemoryAccess access = MemoryAccess.Read)
    {
        if (!c.Memory.TryRead(linear, destination, access, out CpuFault fault))
        {
            c.Raise(fault);
            return false;
        }

        return true;
    }

    public static bool TryWrite(ExecutionContext c, ulong linear, ReadOnlySpan<byte> source)
    {
        if (!c.Memory.TryWrite(linear, source, MemoryAccess.Write, out CpuFault fault))
        {
            c.Raise(fault);
            return false;
        }

        return true;
    }

    public static Float80 Decode80(ReadOnlySpan<byte> bytes) => new()
    {
        Significand = BinaryPrimitives.ReadUInt64LittleEndian(bytes),
        SignExponent = BinaryPrimitives.ReadUInt16LittleEndian(bytes[8..]),
    };

    public static void Encode80(Span<byte> bytes, Float80 value)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, value.Significand);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes[8..], value.SignExponent);
    }

    /// <summary>
    /// The memory operand as an extended value: m32/m64 floats exactly (SNaNs stay signaling, for the
    /// operation to see), m80 raw, m16/m32/m64 integers exactly. <paramref name="denormal"/> reports a denormal float.
    /// </summary>
    public static bool TryReadValue(ExecutionContext c, in Instruction i, out Float80 value, out bool denormal)
    {
        value = default;
        denormal = false;
        Span<byte> bytes = stackalloc byte[10];
        int size = i.MemorySize.GetSize();
        if (size is not (2 or 4 or 8 or 10))
        {
            c.Raise(ExceptionVector.InvalidOpcode);
            return false;
        }

        if (!c.TryLinearAddress(i, size, MemoryAccess.Read, out ulong linear))
        {
            return false;
        }

        if (!TryRead(c, linear, bytes[..size]))
        {
            return false;
        }

        ulong raw = BinaryPrimitives.ReadUInt64LittleEndian(bytes[..8]);
        value = i.MemorySize switch
        {
            MemorySize.Float32 => Float80Arithmetic.FromFloat32((uint)raw, out denormal),
            MemorySize.Float64 => Float80Arithmetic.FromFloat64(raw, out denormal),
            MemorySize.Float80 => Decode80(bytes),
            MemorySize.Int16 => Float80Arithmetic.FromInt64((short)raw),
            MemorySize.Int32 => Float80Arithmetic.FromInt64((int)raw),
            _ => Float80Arithmetic.FromInt64((long)raw),
        };
        return true;
    }

    public static bool TryWriteScalar(ExecutionContext c, ulong linear, int size, ulong value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
        return TryWrite(c, linear, bytes[..size]);
    }
}
