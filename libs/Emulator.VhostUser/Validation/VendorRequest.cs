namespace Emulator.VhostUser;

/// <summary>
/// A device-specific request (code at or above 1000) the device declares: its payload size range, how
/// many fds it carries, and the vendor protocol-feature bit that must be negotiated before it is accepted.
/// </summary>
public sealed record VendorRequest(uint Code, uint MinPayloadSize, uint MaxPayloadSize, int FdCount, VhostUserProtocolFeatures RequiredFeature)
{
    public RequestRule Rule => FdCount switch
    {
        0 => new(PayloadKind.Range, MinPayloadSize, FdRule.None, MaxPayloadSize),
        1 => new(PayloadKind.Range, MinPayloadSize, FdRule.One, MaxPayloadSize),
        _ => new(PayloadKind.Range, MinPayloadSize, FdRule.Exact, MaxPayloadSize, FdCount),
    };
}
