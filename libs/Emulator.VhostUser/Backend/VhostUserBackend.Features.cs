namespace Emulator.VhostUser;

/// <summary>Feature negotiation, status and device reset.</summary>
public sealed partial class VhostUserBackend
{
    private ulong _status;

    private void SetFeatures(ulong value)
    {
        ulong offered = OfferedFeatures;
        if ((value & ~offered) != 0)
        {
            throw new VhostUserProtocolException($"SET_FEATURES acknowledges bits 0x{value & ~offered:x} that were never offered");
        }

        WithRingsStopped(() =>
        {
            AckedFeatures = value;
            _device.SetFeatures(value & ~SessionOnlyFeatures);

            // Without protocol features there is no SET_VRING_ENABLE, so every ring is enabled now.
            if ((value & VhostUserFeatureBits.ProtocolFeatures) == 0)
            {
                foreach (RingSlot ring in _rings)
                {
                    ring.Enabled = true;
                }
            }
        });
    }

    private void SetProtocolFeatures(ulong value)
    {
        var wanted = (VhostUserProtocolFeatures)value;
        if ((wanted & ~OfferedProtocolFeatures) != 0)
        {
            throw new VhostUserProtocolException($"SET_PROTOCOL_FEATURES acknowledges bits 0x{(ulong)(wanted & ~OfferedProtocolFeatures):x} that were never offered");
        }

        AckedProtocolFeatures = wanted;
    }

    private void SetStatus(ulong value)
    {
        Require(VhostUserProtocolFeatures.Status, FrontendRequest.SetStatus);
        if (value > byte.MaxValue)
        {
            throw new VhostUserProtocolException($"SET_STATUS value 0x{value:x} is not an 8-bit virtio device status");
        }

        _status = value;
    }

    private void GetStatus(VhostUserMessage m)
    {
        Require(VhostUserProtocolFeatures.Status, FrontendRequest.GetStatus);
        Reply(m, U64Payload.ToArray(_status));
    }

    /// <summary>RESET_DEVICE: every ring stopped and forgotten, features and status cleared; memory stays mapped.</summary>
    private void ResetDevice()
    {
        Require(VhostUserProtocolFeatures.ResetDevice, FrontendRequest.ResetDevice);
        StopAllRings();
        _device.Reset();
        foreach (RingSlot ring in _rings)
        {
            ring.Clear();
        }

        AckedFeatures = 0;
        _status = 0;
    }
}
