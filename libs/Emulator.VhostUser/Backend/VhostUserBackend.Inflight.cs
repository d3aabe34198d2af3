namespace Emulator.VhostUser;

/// <summary>
/// INFLIGHT_SHMFD: GET_INFLIGHT_FD allocates a fresh log and hands its memfd to the front-end, which
/// keeps it across back-end restarts and hands it back with SET_INFLIGHT_FD.
/// </summary>
public sealed partial class VhostUserBackend
{
    private InflightRegion? _inflight;

    private void CheckInflightShape(FrontendRequest request, InflightDescription d)
    {
        Require(VhostUserProtocolFeatures.InflightShmfd, request);
        if (d.NumQueues == 0 || d.NumQueues > _rings.Length)
        {
            throw new VhostUserProtocolException($"{request}: {d.NumQueues} queues requested, the device has {_rings.Length}");
        }

        if (d.QueueSize == 0 || d.QueueSize > _device.MaxQueueSize || (d.QueueSize & (d.QueueSize - 1)) != 0)
        {
            throw new VhostUserProtocolException($"{request}: queue size {d.QueueSize} is not a power of two in 1..{_device.MaxQueueSize}");
        }
    }

    private void GetInflightFd(VhostUserMessage m, InflightDescription request)
    {
        CheckInflightShape(FrontendRequest.GetInflightFd, request);
        InflightRegion region = InflightRegion.Create(request.NumQueues, request.QueueSize);
        ReplaceInflight(region);
        Reply(m, region.Description.ToArray(), [region.Fd.Number]);
    }

    private void SetInflightFd(VhostUserMessage m, InflightDescription request)
    {
        CheckInflightShape(FrontendRequest.SetInflightFd, request);
        InflightRegion region = InflightRegion.FromFd(m.PeekFd(0), request, _options.AllowUnsealedMemory);
        m.TakeFd(0);
        ReplaceInflight(region);
    }

    private void ReplaceInflight(InflightRegion region)
    {
        InflightRegion? old = _inflight;
        try
        {
            WithRingsStopped(() => _inflight = region);
        }
        finally
        {
            if (ReferenceEquals(_inflight, region))
            {
                old?.Dispose();
            }
            else
            {
                // The rings could not be stopped, so the buffer was never switched: nothing uses the new one.
                region.Dispose();
            }
        }
    }
}
