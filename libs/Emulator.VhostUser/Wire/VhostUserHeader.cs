using System.Buffers.Binary;

namespace Emulator.VhostUser;

/// <summary>The fixed 12-byte message header <c>{u32 request; u32 flags; u32 size}</c>, host (little) endian.</summary>
public readonly record struct VhostUserHeader(uint Request, VhostUserFlags Flags, uint Size)
{
    public const int Length = VhostUserLimits.HeaderSize;

    public uint Version => (uint)(Flags & VhostUserFlags.VersionMask);

    public bool IsReply => (Flags & VhostUserFlags.Reply) != 0;

    public bool NeedsReply => (Flags & VhostUserFlags.NeedReply) != 0;

    /// <summary>A version-1 request header.</summary>
    public static VhostUserHeader ForRequest(uint request, int size, bool needReply = false) =>
        new(request, VhostUserFlags.Version1 | (needReply ? VhostUserFlags.NeedReply : VhostUserFlags.None), checked((uint)size));

    /// <summary>A version-1 reply header for <paramref name="request"/>.</summary>
    public static VhostUserHeader ForReply(uint request, int size) =>
        new(request, VhostUserFlags.Version1 | VhostUserFlags.Reply, checked((uint)size));

    public static VhostUserHeader Parse(ReadOnlySpan<byte> source)
    {
        CheckLength(source.Length);
        return new VhostUserHeader(
            BinaryPrimitives.ReadUInt32LittleEndian(source),
            (VhostUserFlags)BinaryPrimitives.ReadUInt32LittleEndian(source[4..]),
            BinaryPrimitives.ReadUInt32LittleEndian(source[8..]));
    }

    public void Write(Span<byte> destination)
    {
        CheckLength(destination.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(destination, Request);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], (uint)Flags);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], Size);
    }

    public override string ToString() => $"{RequestName(Request)} flags=0x{(uint)Flags:x} size={Size}";

    /// <summary>A readable name for logs, whatever the code.</summary>
    public static string RequestName(uint request) =>
        request < (uint)FrontendRequest.FirstVendor && Enum.IsDefined((FrontendRequest)request) ? ((FrontendRequest)request).ToString() : $"request {request}";

    private static void CheckLength(int length)
    {
        if (length < Length)
        {
            throw new VhostUserProtocolException($"a message header needs {Length} bytes, got {length}");
        }
    }
}
