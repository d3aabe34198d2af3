using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Emulator.Memory;

namespace Emulator.Cpu;

/// <summary>
/// Physical reads and updates of paging-structure entries. An entry outside guest RAM reads as
/// all ones (an open bus, as on real hardware: no device answers) and updates to it are dropped, so
/// a hostile page table can never make the emulator touch host memory outside guest RAM.
/// </summary>
internal sealed class PageTableMemory
{
    private readonly GuestMemory _memory;

    public PageTableMemory(GuestMemory memory) => _memory = memory;

    public ulong Read(ulong physical, int size)
    {
        if (!_memory.TryGetSpan(physical, size, out Span<byte> span))
        {
            return size == 8 ? ulong.MaxValue : uint.MaxValue;
        }

        // Volatile: another vCPU or a device server may write the entry at any time; read it once.
        return size == 8 ? Volatile.Read(ref As<ulong>(span)) : Volatile.Read(ref As<uint>(span));
    }

    /// <summary>
    /// Sets bits in an entry only if it still holds <paramref name="expected"/> (hardware's locked
    /// update). False means the entry changed since it was read: the walk starts over.
    /// </summary>
    public bool TrySetBits(ulong physical, int size, ulong expected, ulong bits)
    {
        if (!_memory.TryGetSpan(physical, size, out Span<byte> span))
        {
            return true;
        }

        if (size == 8)
        {
            return Interlocked.CompareExchange(ref As<ulong>(span), expected | bits, expected) == expected;
        }

        uint old = (uint)expected;
        return Interlocked.CompareExchange(ref As<uint>(span), old | (uint)bits, old) == old;
    }

    private static ref T As<T>(Span<byte> span)
        where T : unmanaged =>

        // SAFETY (no unsafe block, but Unsafe.As reinterprets): TryGetSpan returned exactly sizeof(T)
        // bytes inside one mapped region; entries are naturally aligned (table base 4 KiB or 32-byte
        // aligned, index scaled by the entry size) in a page-aligned mapping, so the atomic is aligned.
        ref Unsafe.As<byte, T>(ref MemoryMarshal.GetReference(span));
}
