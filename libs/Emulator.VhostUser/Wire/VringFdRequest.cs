namespace Emulator.VhostUser;

/// <summary>
/// The u64 payload of SET_VRING_KICK/CALL/ERR: ring index in bits 0-7, bit 8 set when no fd is attached
/// (poll instead). Every other bit is reserved.
/// </summary>
public readonly record struct VringFdRequest(byte Index, bool NoFd)
{
    public const ulong IndexMask = 0xFF;
    public const ulong NoFdFlag = 0x100;

    public ulong Value => Index | (NoFd ? NoFdFlag : 0);

    public static bool HasReservedBits(ulong value) => (value & ~(IndexMask | NoFdFlag)) != 0;

    public static VringFdRequest Parse(ReadOnlySpan<byte> source) => FromValue(U64Payload.Parse(source));

    public static VringFdRequest FromValue(ulong value)
    {
        if (HasReservedBits(value))
        {
            throw new VhostUserProtocolException($"vring fd request 0x{value:x} sets reserved bits");
        }

        return new VringFdRequest((byte)(value & IndexMask), (value & NoFdFlag) != 0);
    }

    public byte[] ToArray() => U64Payload.ToArray(Value);
}
