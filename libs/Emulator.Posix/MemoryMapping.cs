using System.Runtime.InteropServices;

namespace Emulator.Posix;

/// <summary>
/// An mmap'ed range, unmapped exactly once when disposed or finalized. Readers must not outlive it:
/// owners (guest memory, rings) dispose it only after every user has stopped.
/// </summary>
public sealed unsafe class MemoryMapping : SafeHandle
{
    private const int MAP_SHARED = 0x01;
    private const int MAP_PRIVATE = 0x02;
    private const int MAP_ANONYMOUS = 0x20;
    private const int MAP_NORESERVE = 0x4000;
    private static readonly nint MapFailed = -1;

    private MemoryMapping(nint address, ulong length)
        : base(MapFailed, ownsHandle: true)
    {
        SetHandle(address);
        Length = length;
    }

    public override bool IsInvalid => handle == MapFailed || handle == 0;

    public ulong Length { get; }

    /// <summary>The first mapped byte. Valid until disposed.</summary>
    public byte* Pointer => (byte*)handle;

    /// <summary>Maps <paramref name="length"/> bytes of a file, shared with every other mapping of it.</summary>
    public static MemoryMapping MapShared(SafeFd fd, long offset, ulong length, Protection protection = Protection.ReadWrite)
    {
        ArgumentOutOfRangeException.ThrowIfZero(length);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        nint p = LibC.mmap(0, checked((nuint)length), (int)protection, MAP_SHARED | MAP_NORESERVE, fd, offset);
        if (p == MapFailed)
        {
            throw PosixException.FromLastError("mmap");
        }

        return new MemoryMapping(p, length);
    }

    /// <summary>Anonymous private memory, for executable buffers and scratch areas.</summary>
    public static MemoryMapping MapAnonymous(ulong length, Protection protection = Protection.ReadWrite)
    {
        ArgumentOutOfRangeException.ThrowIfZero(length);
        nint p = LibC.mmap_anonymous(0, checked((nuint)length), (int)protection, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p == MapFailed)
        {
            throw PosixException.FromLastError("mmap");
        }

        return new MemoryMapping(p, length);
    }

    /// <summary>A view of [offset, offset+length), bounds-checked against the mapping.</summary>
    public Span<byte> GetSpan(ulong offset, int length)
    {
        ObjectDisposedException.ThrowIf(IsClosed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (offset > Length || (ulong)length > Length - offset)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"[0x{offset:x}+0x{length:x}) is outside a mapping of 0x{Length:x} bytes");
        }

        // SAFETY: the range was checked against Length above and the mapping is open.
        return new Span<byte>(Pointer + offset, length);
    }

    public void Protect(ulong offset, ulong length, Protection protection)
    {
        if (offset > Length || length > Length - offset)
        {
            throw new ArgumentOutOfRangeException(nameof(offset));
        }

        // SAFETY: [offset, offset+length) was checked to lie inside this mapping, so mprotect touches only our pages.
        if (LibC.mprotect(handle + (nint)offset, (nuint)length, (int)protection) < 0)
        {
            throw PosixException.FromLastError("mprotect");
        }
    }

    protected override bool ReleaseHandle() => LibC.munmap(handle, (nuint)Length) == 0;
}
