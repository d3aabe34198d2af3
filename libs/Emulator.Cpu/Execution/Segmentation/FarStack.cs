using System.Buffers.Binary;
using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// Stack frames of far transfers written in one access, so a fault leaves no register changed:
/// on the current stack through SS's checks, or on a new inner-privilege stack as a supervisor
/// access (CPL 3 stacks as user accesses).
/// </summary>
internal static class FarStack
{
    /// <summary>The most values a far-transfer frame holds: SS, ESP, 31 call-gate parameters, CS, EIP.</summary>
    public const int MaxValues = 35;

    /// <summary>Lays <paramref name="values"/> out as pushed in order (the first pushed ends at the highest address).</summary>
    public static void Serialize(Span<byte> bytes, ReadOnlySpan<ulong> values, int size)
    {
        int n = values.Length;
        for (int k = 0; k < n; k++)
        {
            Span<byte> slot = bytes.Slice((n - 1 - k) * size, size);
            switch (size)
            {
                case 2: BinaryPrimitives.WriteUInt16LittleEndian(slot, (ushort)values[k]); break;
                case 4: BinaryPrimitives.WriteUInt32LittleEndian(slot, (uint)values[k]); break;
                default: BinaryPrimitives.WriteUInt64LittleEndian(slot, values[k]); break;
            }
        }
    }

    /// <summary>Pushes <paramref name="values"/> on the current stack; false with the fault raised in <paramref name="cpu"/>.</summary>
    public static bool TryPush(ExecutionContext cpu, ReadOnlySpan<ulong> values, int size)
    {
        int total = values.Length * size;
        ulong sp = (cpu.StackPointer - (ulong)total) & FlagMath.Mask(cpu.StackAddressSize);
        if (!cpu.TryApplySegment(Register.SS, sp, total, MemoryAccess.Write, out ulong linear))
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[MaxValues * 8];
        Serialize(bytes, values, size);
        if (!cpu.Memory.TryWrite(linear, bytes[..total], MemoryAccess.Write, out CpuFault fault))
        {
            cpu.Raise(fault);
            return false;
        }

        cpu.SetStackPointer(sp);
        return true;
    }

    /// <summary>Writes a frame at <paramref name="linear"/> on a stack of privilege <paramref name="cpl"/>.</summary>
    public static bool TryWrite(ExecutionContext cpu, ulong linear, ReadOnlySpan<ulong> values, int size, int cpl, out CpuFault fault)
    {
        Span<byte> bytes = stackalloc byte[MaxValues * 8];
        int total = values.Length * size;
        Serialize(bytes, values, size);
        return cpl < 3
            ? SystemAccess.TryWrite(cpu, linear, bytes[..total], out fault)
            : cpu.Memory.TryWrite(linear, bytes[..total], MemoryAccess.Write, out fault);
    }
}
