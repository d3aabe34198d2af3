using Emulator.Memory;
using Emulator.Posix;

namespace Emulator.VhostUser;

/// <summary>
/// Ring configuration and the start/stop rules: a ring starts once it has a size, addresses, a kick fd,
/// guest memory, and is enabled; it stops at GET_VRING_BASE (which also drops its kick and call fds).
/// Any change to a running ring stops it, applies the change, and starts it again from where it stopped.
/// </summary>
public sealed partial class VhostUserBackend
{
    private const int DescriptorEntrySize = 16;

    private RingSlot Ring(uint index, FrontendRequest request)
    {
        if (index >= (uint)_rings.Length)
        {
            throw new VhostUserProtocolException($"{request}: ring index {index} is not below the queue count {_rings.Length}");
        }

        return _rings[index];
    }

    private void SetVringNum(VringState state)
    {
        RingSlot ring = Ring(state.Index, FrontendRequest.SetVringNum);
        if (state.Num == 0 || state.Num > _device.MaxQueueSize || (state.Num & (state.Num - 1)) != 0)
        {
            throw new VhostUserProtocolException($"SET_VRING_NUM: ring size {state.Num} is not a power of two in 1..{_device.MaxQueueSize}");
        }

        Reconfigure((int)state.Index, () => ring.Size = (ushort)state.Num);
    }

    private void SetVringAddr(VringAddress address)
    {
        RingSlot ring = Ring(address.Index, FrontendRequest.SetVringAddr);
        if ((address.Flags & VringAddress.FlagLog) != 0)
        {
            if (!Negotiated(VhostUserProtocolFeatures.LogShmfd))
            {
                throw new VhostUserProtocolException("SET_VRING_ADDR: used-ring logging (VHOST_VRING_F_LOG) needs LOG_SHMFD, which was not negotiated");
            }

            if (address.Log > ulong.MaxValue - (6 + (8UL * VhostUserLimits.MaxQueueSize)))
            {
                throw new VhostUserProtocolException($"SET_VRING_ADDR: used-ring log address 0x{address.Log:x} leaves no room for the ring");
            }
        }

        if ((address.Flags & ~VringAddress.FlagLog) != 0)
        {
            throw new VhostUserProtocolException($"SET_VRING_ADDR: reserved flags 0x{address.Flags:x} are set");
        }

        // Check now when possible so the error names the message that caused it; start checks again.
        if (_memory is not null && ring.Size != 0)
        {
            Translate(_memory, address, ring.Size);
        }

        Reconfigure((int)address.Index, () => ring.Address = address);
    }

    private void SetVringBase(VringState state)
    {
        RingSlot ring = Ring(state.Index, FrontendRequest.SetVringBase);
        if (state.Num > ushort.MaxValue)
        {
            throw new VhostUserProtocolException($"SET_VRING_BASE: base {state.Num} does not fit a 16-bit ring index");
        }

        Reconfigure((int)state.Index, () => ring.Base = (ushort)state.Num);
    }

    private void GetVringBase(VhostUserMessage m, VringState state)
    {
        RingSlot ring = Ring(state.Index, FrontendRequest.GetVringBase);
        StopRing((int)state.Index);
        ring.ReplaceKick(null);
        ring.ReplaceCall(null);
        Reply(m, new VringState(state.Index, ring.Base).ToArray());
    }

    private void SetVringEnable(VringState state)
    {
        RingSlot ring = Ring(state.Index, FrontendRequest.SetVringEnable);
        if (state.Num > 1)
        {
            throw new VhostUserProtocolException($"SET_VRING_ENABLE: {state.Num} is neither 0 nor 1");
        }

        Reconfigure((int)state.Index, () => ring.Enabled = state.Num == 1);
    }

    private void SetVringFd(VhostUserMessage m, RingFdKind kind)
    {
        var request = (FrontendRequest)m.Header.Request;
        VringFdRequest fdRequest = VringFdRequest.Parse(m.Payload);
        RingSlot ring = Ring(fdRequest.Index, request);
        if (fdRequest.NoFd && kind == RingFdKind.Kick)
        {
            throw new VhostUserProtocolException("SET_VRING_KICK without an fd asks for ring polling, which this back-end does not do");
        }

        EventFd? fd = null;
        if (!fdRequest.NoFd)
        {
            if (!FdInfo.IsEventFd(m.PeekFd(0)))
            {
                throw new VhostUserProtocolException($"{request}: the descriptor is not an eventfd");
            }

            fd = new EventFd(m.PeekFd(0));
            m.TakeFd(0);
        }

        // The ring owns the eventfd once the change ran; if stopping the ring failed first, it is still ours.
        bool applied = false;
        try
        {
            Reconfigure(fdRequest.Index, () =>
            {
                switch (kind)
                {
                    case RingFdKind.Kick: ring.ReplaceKick(fd); break;
                    case RingFdKind.Call: ring.ReplaceCall(fd); break;
                    default: ring.ReplaceErr(fd); break;
                }

                applied = true;
            });
        }
        finally
        {
            if (!applied)
            {
                fd?.Dispose();
            }
        }
    }

    private void Reconfigure(int index, Action change)
    {
        StopRing(index);
        change();
        TryStartRing(index);
    }

    /// <summary>Stops every running ring, applies <paramref name="change"/>, starts every ring that can run.</summary>
    private void WithRingsStopped(Action change)
    {
        StopAllRings();
        change();
        for (int i = 0; i < _rings.Length; i++)
        {
            TryStartRing(i);
        }
    }

    private void StopAllRings()
    {
        for (int i = 0; i < _rings.Length; i++)
        {
            StopRing(i);
        }
    }

    private void StopRing(int index)
    {
        RingSlot ring = _rings[index];
        if (ring.Started)
        {
            ring.Base = _device.StopQueue(index);
            ring.Started = false;
        }
    }

    private void TryStartRing(int index)
    {
        RingSlot ring = _rings[index];
        if (ring.Started || ring.Kick is null || ring.Address is not VringAddress address || ring.Size == 0 || _memory is null || !ring.Enabled)
        {
            return;
        }

        (ulong desc, ulong avail, ulong used) = Translate(_memory, address, ring.Size);
        InflightQueue? inflight = null;
        if (_inflight is not null && index < _inflight.Queues.Count)
        {
            inflight = _inflight.Queues[index];
            if (inflight.DescNum != ring.Size)
            {
                throw new VhostUserProtocolException($"ring {index} has {ring.Size} entries but its in-flight log has {inflight.DescNum}");
            }
        }

        var setup = new VringSetup
        {
            Index = index,
            Memory = _memory,
            Size = ring.Size,
            DescriptorTable = desc,
            AvailableRing = avail,
            UsedRing = used,
            NextAvail = ring.Base,
            Kick = ring.Kick,
            Call = ring.Call,
            Err = ring.Err,
            EventIdx = (AckedFeatures & VhostUserFeatureBits.RingEventIdx) != 0,
            Features = AckedFeatures & ~SessionOnlyFeatures,
            Inflight = inflight,
            Log = _log,
            WriteLog = RingWriteLog,
            UsedRingLogAddress = UsedRingLogAddress(address),
        };
        _device.StartQueue(index, setup);
        ring.Started = true;
    }

    /// <summary>
    /// Front-end virtual ring addresses to guest-physical ones. Each part (descriptor table, avail ring with
    /// used_event, used ring with avail_event) must lie wholly inside one region and be naturally aligned.
    /// </summary>
    private static (ulong Desc, ulong Avail, ulong Used) Translate(GuestMemory memory, VringAddress address, ushort size)
    {
        ulong desc = TranslatePart(memory, address.Index, "descriptor table", address.Descriptor, (ulong)DescriptorEntrySize * size, 16);
        ulong avail = TranslatePart(memory, address.Index, "avail ring", address.Available, 6 + (2UL * size), 2);
        ulong used = TranslatePart(memory, address.Index, "used ring", address.Used, 6 + (8UL * size), 4);
        return (desc, avail, used);
    }

    private static ulong TranslatePart(GuestMemory memory, uint index, string part, ulong userAddress, ulong length, ulong alignment)
    {
        if (!memory.TryTranslateUserAddress(userAddress, length, out ulong gpa))
        {
            throw new VhostUserProtocolException($"ring {index}: {part} at 0x{userAddress:x} (+0x{length:x}) does not lie inside one memory region");
        }

        if (gpa % alignment != 0)
        {
            throw new VhostUserProtocolException($"ring {index}: {part} at guest address 0x{gpa:x} is not {alignment}-byte aligned");
        }

        return gpa;
    }
}
