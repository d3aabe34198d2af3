using Emulator.Posix;
using Emulator.Virtio;

namespace Emulator.VhostUser;

/// <summary>
/// Dirty logging (LOG_SHMFD + VHOST_F_LOG_ALL): SET_LOG_BASE maps the front-end's bitmap; while LOG_ALL is
/// acknowledged each started ring gets it as <see cref="VringSetup.WriteLog"/>, so every buffer write through
/// a chain writer and (with VHOST_VRING_F_LOG) every used-ring write is marked before used.idx is published.
/// A new log replaces the old one with the rings stopped (as every other change to a running ring), so no
/// ring thread ever marks a log that is being unmapped.
/// </summary>
public sealed partial class VhostUserBackend
{
    private DirtyLog? _dirtyLog;
    private EventFd? _logFd;

    /// <summary>The log the front-end gave with SET_LOG_BASE, or null.</summary>
    public DirtyLog? CurrentDirtyLog => _dirtyLog;

    private bool LogAllAcked => (AckedFeatures & VhostUserFeatureBits.LogAll) != 0;

    /// <summary>The features GET_FEATURES reports: the device's, bit 30, and LOG_ALL when LOG_SHMFD is offered.</summary>
    private ulong OfferedFeatures =>
        _device.Features | VhostUserFeatureBits.ProtocolFeatures
        | ((OfferedProtocolFeatures & VhostUserProtocolFeatures.LogShmfd) != 0 ? VhostUserFeatureBits.LogAll : 0);

    /// <summary>The bits the session itself interprets, which the device never sees (unless it offered them itself).</summary>
    private ulong SessionOnlyFeatures => VhostUserFeatureBits.ProtocolFeatures | (VhostUserFeatureBits.LogAll & ~_device.Features);

    private void SetLogBase(VhostUserMessage m, LogDescription description)
    {
        Require(VhostUserProtocolFeatures.LogShmfd, FrontendRequest.SetLogBase);
        DirtyLog log = DirtyLog.FromFd(m.PeekFd(0), description, _options.AllowUnsealedMemory);
        m.TakeFd(0);
        ReplaceDirtyLog(log);
        CheckLogCoversMemory();

        // With LOG_SHMFD the front-end waits for this u64 0 once the log is mapped (vhost-user.rst).
        Reply(m, U64Payload.ToArray(0));
    }

    private void SetLogFd(VhostUserMessage m)
    {
        Require(VhostUserProtocolFeatures.LogShmfd, FrontendRequest.SetLogFd);
        if (!FdInfo.IsEventFd(m.PeekFd(0)))
        {
            throw new VhostUserProtocolException("SET_LOG_FD: the descriptor is not an eventfd");
        }

        // Kept (and released at the end) but never signalled: the log is read when the rings' call fires.
        _logFd?.Dispose();
        _logFd = new EventFd(m.PeekFd(0));
        m.TakeFd(0);
    }

    private void ReplaceDirtyLog(DirtyLog log)
    {
        DirtyLog? old = _dirtyLog;
        try
        {
            WithRingsStopped(() => _dirtyLog = log);
        }
        finally
        {
            if (ReferenceEquals(_dirtyLog, log))
            {
                old?.Dispose();
            }
            else
            {
                // The rings could not be stopped, so the log was never switched: nothing uses the new one.
                log.Dispose();
            }
        }
    }

    /// <summary>A log smaller than guest RAM is legal but loses marks: say so once, at the moment it is given.</summary>
    private void CheckLogCoversMemory()
    {
        if (_dirtyLog is null || _memory is null)
        {
            return;
        }

        foreach (Emulator.Memory.GuestRegion region in _memory.Regions)
        {
            if (region.End > _dirtyLog.CoveredBytes)
            {
                _log($"vhost-user: the dirty log covers guest addresses below 0x{_dirtyLog.CoveredBytes:x}, but RAM reaches 0x{region.End:x}; writes above are not logged");
                return;
            }
        }
    }

    /// <summary>What a starting ring logs into: the log while LOG_ALL is acknowledged, otherwise nothing.</summary>
    private IGuestWriteLog? RingWriteLog => LogAllAcked ? _dirtyLog : null;

    /// <summary>The used ring's log address when the ring asked for used-ring logging and a log is active.</summary>
    private ulong? UsedRingLogAddress(VringAddress address) =>
        RingWriteLog is not null && (address.Flags & VringAddress.FlagLog) != 0 ? address.Log : null;

    private void DisposeLogging()
    {
        _dirtyLog?.Dispose();
        _dirtyLog = null;
        _logFd?.Dispose();
        _logFd = null;
    }
}
