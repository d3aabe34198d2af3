using System.Buffers.Binary;

namespace Emulator.VhostUser;

/// <summary>
/// The message-level checks every incoming request passes before dispatch: known request, version 1,
/// reserved flag bits zero, no REPLY bit on a request, payload size within the limit and exactly what
/// the request's layout needs, and the expected fd count. Pure: state-level checks (ring index, memory
/// layout, negotiated features) belong to the session.
/// </summary>
public static class MessageValidator
{
    /// <summary>
    /// The checks that need only the header, done before the payload is read so a huge size is refused
    /// without reading it. Throws <see cref="VhostUserProtocolException"/>.
    /// </summary>
    public static RequestRule ValidateHeader(VhostUserHeader header, IReadOnlyList<VendorRequest>? vendor = null) =>
        ValidateHeader(header, MessageRules.ForFrontendRequest(header.Request, vendor));

    /// <summary>Every message-level check for a front-end request. Throws <see cref="VhostUserProtocolException"/>.</summary>
    public static void Validate(VhostUserHeader header, ReadOnlySpan<byte> payload, int fdCount, IReadOnlyList<VendorRequest>? vendor = null)
    {
        RequestRule rule = ValidateHeader(header, vendor);
        ValidateBody(header, rule, payload, fdCount);
    }

    /// <summary>The same checks for a request the back-end sends on the BACKEND_REQ channel.</summary>
    public static void ValidateBackendRequest(VhostUserHeader header, ReadOnlySpan<byte> payload, int fdCount, IReadOnlyList<VendorRequest>? vendor = null)
    {
        RequestRule rule = ValidateHeader(header, MessageRules.ForBackendRequest(header.Request, vendor));
        ValidateBody(header, rule, payload, fdCount);
    }

    /// <summary>Non-throwing form of <see cref="Validate"/>.</summary>
    public static bool IsValid(VhostUserHeader header, ReadOnlySpan<byte> payload, int fdCount, out string? error, IReadOnlyList<VendorRequest>? vendor = null)
    {
        try
        {
            Validate(header, payload, fdCount, vendor);
            error = null;
            return true;
        }
        catch (VhostUserProtocolException e)
        {
            error = e.Message;
            return false;
        }
    }

    /// <summary>Checks a reply header: version 1, REPLY set, no reserved bits, the request it answers, size in limits.</summary>
    public static void ValidateReplyHeader(VhostUserHeader reply, uint expectedRequest)
    {
        CheckFlags(reply);
        if (!reply.IsReply)
        {
            throw new VhostUserProtocolException($"reply to {VhostUserHeader.RequestName(expectedRequest)} lacks the REPLY flag");
        }

        if (reply.Request != expectedRequest)
        {
            throw new VhostUserProtocolException(
                $"expected a reply to {VhostUserHeader.RequestName(expectedRequest)}, got {VhostUserHeader.RequestName(reply.Request)}");
        }

        CheckSizeLimit(reply);
    }

    private static RequestRule ValidateHeader(VhostUserHeader header, RequestRule? rule)
    {
        if (rule is null)
        {
            throw new VhostUserProtocolException($"unknown request {header.Request}");
        }

        CheckFlags(header);
        if (header.IsReply)
        {
            throw new VhostUserProtocolException($"{header}: a request must not carry the REPLY flag");
        }

        CheckSizeLimit(header);
        return rule.Value;
    }

    private static void CheckFlags(VhostUserHeader header)
    {
        if (header.Version != 1)
        {
            throw new VhostUserProtocolException($"{header}: unsupported protocol version {header.Version}");
        }

        if ((header.Flags & ~VhostUserFlags.KnownMask) != 0)
        {
            throw new VhostUserProtocolException($"{header}: reserved flag bits 0x{(uint)(header.Flags & ~VhostUserFlags.KnownMask):x} are set");
        }
    }

    private static void CheckSizeLimit(VhostUserHeader header)
    {
        if (header.Size > VhostUserLimits.MaxPayloadSize)
        {
            throw new VhostUserProtocolException($"{header}: payload of {header.Size} bytes exceeds {VhostUserLimits.MaxPayloadSize}");
        }
    }

    private static void ValidateBody(VhostUserHeader header, RequestRule rule, ReadOnlySpan<byte> payload, int fdCount)
    {
        if ((uint)payload.Length != header.Size)
        {
            throw new VhostUserProtocolException($"{header}: header says {header.Size} payload bytes, {payload.Length} arrived");
        }

        int regions = CheckPayloadSize(header, rule, payload);
        int expectedFds = rule.Fds switch
        {
            FdRule.None => 0,
            FdRule.One => 1,
            FdRule.OnePerRegion => regions,
            FdRule.OneUnlessNoFdFlag => KickCallFdCount(header, payload),
            FdRule.NoneOrOne => Math.Min(fdCount, 1),
            FdRule.Exact => rule.FdCount,
            _ => throw new VhostUserProtocolException($"{header}: no fd rule"),
        };

        if (fdCount != expectedFds)
        {
            throw new VhostUserProtocolException($"{header}: expected {expectedFds} file descriptor(s), got {fdCount}");
        }
    }

    /// <summary>Checks the size; returns the region count for SET_MEM_TABLE (0 otherwise).</summary>
    private static int CheckPayloadSize(VhostUserHeader header, RequestRule rule, ReadOnlySpan<byte> payload)
    {
        switch (rule.Kind)
        {
            case PayloadKind.Fixed when payload.Length != rule.Size:
                throw new VhostUserProtocolException($"{header}: payload must be exactly {rule.Size} bytes");
            case PayloadKind.Range when payload.Length < rule.Size || payload.Length > rule.MaxSize:
                throw new VhostUserProtocolException($"{header}: payload must be {rule.Size}..{rule.MaxSize} bytes");
            case PayloadKind.MemTable:
                return MemTableRegionCount(header, payload);
            case PayloadKind.Config:
                CheckConfigSize(header, payload);
                return 0;
            default:
                return 0;
        }
    }

    private static int MemTableRegionCount(VhostUserHeader header, ReadOnlySpan<byte> payload)
    {
        if (payload.Length < MemoryTable.HeaderLength)
        {
            throw new VhostUserProtocolException($"{header}: memory table payload has no region count");
        }

        uint count = BinaryPrimitives.ReadUInt32LittleEndian(payload);
        if (count is < 1 or > VhostUserLimits.MaxMemTableRegions)
        {
            throw new VhostUserProtocolException($"{header}: memory table claims {count} regions (1..{VhostUserLimits.MaxMemTableRegions} allowed)");
        }

        if (payload.Length != MemoryTable.PayloadLengthFor((int)count))
        {
            throw new VhostUserProtocolException($"{header}: {count} regions need {MemoryTable.PayloadLengthFor((int)count)} payload bytes");
        }

        return (int)count;
    }

    private static void CheckConfigSize(VhostUserHeader header, ReadOnlySpan<byte> payload)
    {
        if (payload.Length < ConfigPayload.HeaderLength)
        {
            throw new VhostUserProtocolException($"{header}: config payload has no header");
        }

        uint size = BinaryPrimitives.ReadUInt32LittleEndian(payload[4..]);
        if (size > VhostUserLimits.MaxConfigSize || payload.Length != ConfigPayload.HeaderLength + (int)size)
        {
            throw new VhostUserProtocolException($"{header}: config access of {size} bytes does not match the payload (limit {VhostUserLimits.MaxConfigSize})");
        }
    }

    private static int KickCallFdCount(VhostUserHeader header, ReadOnlySpan<byte> payload)
    {
        ulong value = BinaryPrimitives.ReadUInt64LittleEndian(payload);
        if (VringFdRequest.HasReservedBits(value))
        {
            throw new VhostUserProtocolException($"{header}: vring fd payload 0x{value:x} sets reserved bits");
        }

        return (value & VringFdRequest.NoFdFlag) != 0 ? 0 : 1;
    }
}
