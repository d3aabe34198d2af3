using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Emulator.Cpu;

/// <summary>Little-endian 1/2/4/8-byte loads and stores on a span of exactly that size (x86 hosts: no swap).</summary>
internal static class Scalar
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // sizes are constants in the fast handlers: the switch folds away
    public static ulong Read(Span<byte> span, int size)
    {
        ref byte at = ref MemoryMarshal.GetReference(span);
        ulong value = size switch
        {
            1 => at,
            2 => Unsafe.ReadUnaligned<ushort>(ref at),
            4 => Unsafe.ReadUnaligned<uint>(ref at),
            _ => Unsafe.ReadUnaligned<ulong>(ref at),
        };
        return BitConverter.IsLittleEndian ? value : Swap(value, size);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write(Span<byte> span, int size, ulong value)
    {
        // SAFETY (no unsafe block; Unsafe.WriteUnaligned): callers pass a span of exactly `size` bytes.
        ref byte at = ref MemoryMarshal.GetReference(span);
        value = BitConverter.IsLittleEndian ? value : Swap(value, size);
        switch (size)
        {
            case 1:
                at = (byte)value;
                break;
            case 2:
                Unsafe.WriteUnaligned(ref at, (ushort)value);
                break;
            case 4:
                Unsafe.WriteUnaligned(ref at, (uint)value);
                break;
            default:
                Unsafe.WriteUnaligned(ref at, value);
                break;
        }
    }

    private static ulong Swap(ulong value, int size) => System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(value) >> (64 - (size * 8));
}
