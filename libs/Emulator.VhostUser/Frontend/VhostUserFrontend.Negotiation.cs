namespace Emulator.VhostUser;

/// <summary>Features, ownership, status, reset, config and vendor-neutral device requests.</summary>
public sealed partial class VhostUserFrontend
{
    public ulong GetFeatures() => CallU64(FrontendRequest.GetFeatures);

    public void SetFeatures(ulong features)
    {
        Post(FrontendRequest.SetFeatures, U64Payload.ToArray(features));
        Features = features;
    }

    public VhostUserProtocolFeatures GetProtocolFeatures() => (VhostUserProtocolFeatures)CallU64(FrontendRequest.GetProtocolFeatures);

    /// <summary>Sets the protocol features; REPLY_ACK, if in the set, applies from the next request on.</summary>
    public void SetProtocolFeatures(VhostUserProtocolFeatures features)
    {
        Post(FrontendRequest.SetProtocolFeatures, U64Payload.ToArray((ulong)features));
        ProtocolFeatures = features;
    }

    public void SetOwner() => Post(FrontendRequest.SetOwner, []);

    public void ResetOwner() => Post(FrontendRequest.ResetOwner, []);

    public ulong GetQueueNum() => CallU64(FrontendRequest.GetQueueNum);

    public void SetStatus(byte status) => Post(FrontendRequest.SetStatus, U64Payload.ToArray(status));

    public byte GetStatus()
    {
        ulong status = CallU64(FrontendRequest.GetStatus);
        return status <= byte.MaxValue ? (byte)status : throw new VhostUserProtocolException($"back-end reported device status 0x{status:x}");
    }

    public void ResetDevice() => Post(FrontendRequest.ResetDevice, []);

    public byte[] GetConfig(uint offset, uint size)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size, (uint)VhostUserLimits.MaxConfigSize);
        var request = new ConfigPayload(offset, ConfigPayload.FlagWritable, new byte[size]);
        using VhostUserMessage reply = Call(FrontendRequest.GetConfig, request.ToArray(), ConfigPayload.HeaderLength + (int)size);
        ConfigPayload config = ConfigPayload.Parse(reply.Payload);
        if (config.Offset != offset || config.Size != size)
        {
            throw new VhostUserProtocolException($"GET_CONFIG reply covers [{config.Offset}, +{config.Size}), asked for [{offset}, +{size})");
        }

        return config.Data;
    }

    public void SetConfig(uint offset, ReadOnlySpan<byte> data, uint flags = ConfigPayload.FlagWritable) =>
        Post(FrontendRequest.SetConfig, new ConfigPayload(offset, flags, data.ToArray()).ToArray());

    /// <summary>
    /// The usual opening: SET_OWNER, GET_FEATURES, then (if offered) GET/SET_PROTOCOL_FEATURES, then
    /// SET_FEATURES with bit 30 kept when protocol features are in use.
    /// </summary>
    public NegotiatedFeatures Negotiate(ulong wantedFeatures, VhostUserProtocolFeatures wantedProtocolFeatures)
    {
        SetOwner();
        ulong offered = GetFeatures();
        ulong features = offered & wantedFeatures & ~VhostUserFeatureBits.ProtocolFeatures;
        if ((offered & VhostUserFeatureBits.ProtocolFeatures) != 0)
        {
            SetProtocolFeatures(GetProtocolFeatures() & wantedProtocolFeatures);
            features |= VhostUserFeatureBits.ProtocolFeatures;
        }

        SetFeatures(features);
        return new NegotiatedFeatures(features, ProtocolFeatures);
    }
}
