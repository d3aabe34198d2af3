namespace Emulator.VhostUser;

/// <summary>The shape of every front-end and back-end request this library knows (vhost-user.rst).</summary>
public static class MessageRules
{
    /// <summary>The rule for a front-end request, or null when the code is unknown.</summary>
    public static RequestRule? ForFrontendRequest(uint request, IReadOnlyList<VendorRequest>? vendor = null) => (FrontendRequest)request switch
    {
        FrontendRequest.GetFeatures => RequestRule.Fixed(0),
        FrontendRequest.SetFeatures => RequestRule.Fixed(U64Payload.Size),
        FrontendRequest.SetOwner => RequestRule.Fixed(0),
        FrontendRequest.ResetOwner => RequestRule.Fixed(0),
        FrontendRequest.SetMemTable => new RequestRule(PayloadKind.MemTable, 0, FdRule.OnePerRegion),
        FrontendRequest.SetLogBase => RequestRule.Fixed(LogDescription.Size, FdRule.One),
        FrontendRequest.SetLogFd => RequestRule.Fixed(0, FdRule.One),
        FrontendRequest.SetVringNum => RequestRule.Fixed(VringState.Size),
        FrontendRequest.SetVringAddr => RequestRule.Fixed(VringAddress.Size),
        FrontendRequest.SetVringBase => RequestRule.Fixed(VringState.Size),
        FrontendRequest.GetVringBase => RequestRule.Fixed(VringState.Size),
        FrontendRequest.SetVringKick => RequestRule.Fixed(U64Payload.Size, FdRule.OneUnlessNoFdFlag),
        FrontendRequest.SetVringCall => RequestRule.Fixed(U64Payload.Size, FdRule.OneUnlessNoFdFlag),
        FrontendRequest.SetVringErr => RequestRule.Fixed(U64Payload.Size, FdRule.OneUnlessNoFdFlag),
        FrontendRequest.GetProtocolFeatures => RequestRule.Fixed(0),
        FrontendRequest.SetProtocolFeatures => RequestRule.Fixed(U64Payload.Size),
        FrontendRequest.GetQueueNum => RequestRule.Fixed(0),
        FrontendRequest.SetVringEnable => RequestRule.Fixed(VringState.Size),
        FrontendRequest.SetBackendReqFd => RequestRule.Fixed(0, FdRule.One),
        FrontendRequest.GetConfig => new RequestRule(PayloadKind.Config, 0, FdRule.None),
        FrontendRequest.SetConfig => new RequestRule(PayloadKind.Config, 0, FdRule.None),
        FrontendRequest.GetInflightFd => RequestRule.Fixed(InflightDescription.Size),
        FrontendRequest.SetInflightFd => RequestRule.Fixed(InflightDescription.Size, FdRule.One),
        FrontendRequest.ResetDevice => RequestRule.Fixed(0),
        FrontendRequest.GetMaxMemSlots => RequestRule.Fixed(0),
        FrontendRequest.AddMemReg => RequestRule.Fixed(SingleMemoryRegion.Size, FdRule.One),
        FrontendRequest.RemMemReg => RequestRule.Fixed(SingleMemoryRegion.Size, FdRule.NoneOrOne),
        FrontendRequest.SetStatus => RequestRule.Fixed(U64Payload.Size),
        FrontendRequest.GetStatus => RequestRule.Fixed(0),
        FrontendRequest.SetDeviceStateFd => RequestRule.Fixed(8, FdRule.One),
        FrontendRequest.CheckDeviceState => RequestRule.Fixed(0),
        _ => FindVendor(request, vendor)?.Rule,
    };

    /// <summary>The rule for a back-end request (BACKEND_REQ channel), or null when unknown or unsupported.</summary>
    public static RequestRule? ForBackendRequest(uint request, IReadOnlyList<VendorRequest>? vendor = null) => (BackendRequest)request switch
    {
        BackendRequest.ConfigChangeMsg => RequestRule.Fixed(0),
        BackendRequest.VringHostNotifierMsg => RequestRule.Fixed(24, FdRule.NoneOrOne),
        BackendRequest.VringCall => RequestRule.Fixed(VringState.Size),
        BackendRequest.VringErr => RequestRule.Fixed(VringState.Size),
        _ => FindVendor(request, vendor)?.Rule,
    };

    /// <summary>True for requests whose reply carries a body (so NEED_REPLY adds no extra status reply).</summary>
    public static bool HasExplicitReply(FrontendRequest request) => request is
        FrontendRequest.GetFeatures or FrontendRequest.GetProtocolFeatures or FrontendRequest.GetVringBase
        or FrontendRequest.GetQueueNum or FrontendRequest.GetConfig or FrontendRequest.GetInflightFd
        or FrontendRequest.GetMaxMemSlots or FrontendRequest.GetStatus or FrontendRequest.SetLogBase;

    public static VendorRequest? FindVendor(uint request, IReadOnlyList<VendorRequest>? vendor)
    {
        if (vendor is null || request < (uint)FrontendRequest.FirstVendor)
        {
            return null;
        }

        foreach (VendorRequest v in vendor)
        {
            if (v.Code == request)
            {
                return v;
            }
        }

        return null;
    }
}
