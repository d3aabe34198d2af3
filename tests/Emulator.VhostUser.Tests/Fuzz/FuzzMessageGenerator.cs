using System.Collections.Immutable;
using System.Buffers.Binary;

namespace Emulator.VhostUser.Tests;

/// <summary>
/// Makes the messages thrown at the back-end: an opening that gets a session into a deep state (features,
/// memory, a running ring), then a mix of plausible requests, mutated requests and pure noise.
/// Framing is kept honest (the bytes sent match the header's size) except for a rare truncated message,
/// because a stream protocol cannot tell a short message from a slow one.
/// </summary>
internal sealed class FuzzMessageGenerator
{
    private static readonly ImmutableArray<FrontendRequest> Requests = [.. Enum.GetValues<FrontendRequest>().Where(r => r != FrontendRequest.FirstVendor)];

    private readonly Random _rng;
    private readonly FuzzFdPool _pool;

    public FuzzMessageGenerator(Random rng, FuzzFdPool pool)
    {
        _rng = rng;
        _pool = pool;
    }

    /// <summary>The messages that open every session: features, memory and ring 0 started.</summary>
    public IEnumerable<FuzzMessage> Opening()
    {
        // No NEED_REPLY until SET_PROTOCOL_FEATURES has negotiated REPLY_ACK.
        yield return new FuzzMessage(VhostUserHeader.ForRequest((uint)FrontendRequest.SetOwner, 0), [], []);
        yield return new FuzzMessage(VhostUserHeader.ForRequest((uint)FrontendRequest.GetFeatures, 0), [], []);
        byte[] protocol = U64Payload.ToArray((ulong)(VhostUserBackend.ImplementedProtocolFeatures | FuzzDevice.VendorFeature));
        yield return new FuzzMessage(VhostUserHeader.ForRequest((uint)FrontendRequest.SetProtocolFeatures, protocol.Length), protocol, []);
        yield return Plain(FrontendRequest.SetFeatures, U64Payload.ToArray((1UL << 32) | VhostUserFeatureBits.ProtocolFeatures | VhostUserFeatureBits.RingEventIdx));
        yield return MemTable(clean: true);
        yield return Plain(FrontendRequest.SetVringNum, new VringState(0, 16).ToArray());
        yield return Plain(FrontendRequest.SetVringAddr, RingAddress(0, bend: false).ToArray());
        yield return Plain(FrontendRequest.SetVringCall, new VringFdRequest(0, false).ToArray(), _pool.EventFds[0]);
        yield return Plain(FrontendRequest.SetVringKick, new VringFdRequest(0, false).ToArray(), _pool.EventFds[1]);
        yield return Plain(FrontendRequest.SetVringEnable, new VringState(0, 1).ToArray());
    }

    /// <summary>The next message after the opening.</summary>
    public FuzzMessage Next()
    {
        int roll = _rng.Next(100);
        if (roll < 10)
        {
            return Noise();
        }

        FrontendRequest request = Requests[_rng.Next(Requests.Length)];
        if (IsUnsupported(request) && _rng.Next(5) != 0)
        {
            request = Requests[_rng.Next(Requests.Length)];
        }

        FuzzMessage message = Structured(request);
        return roll < 25 ? Mutate(message) : message;
    }

    private static bool IsUnsupported(FrontendRequest r) =>
        r is FrontendRequest.SetLogBase or FrontendRequest.SetLogFd or FrontendRequest.SetDeviceStateFd or FrontendRequest.CheckDeviceState;

    private FuzzMessage Noise()
    {
        uint request = _rng.Next(4) switch
        {
            0 => (uint)_rng.Next(0, 50),
            1 => (uint)_rng.Next(1000, 1004),
            2 => (uint)_rng.Next(),
            _ => (uint)Requests[_rng.Next(Requests.Length)],
        };
        var flags = (VhostUserFlags)(_rng.Next(3) == 0 ? (uint)_rng.Next() : 1u | (uint)(_rng.Next(2) * 8));
        byte[] payload = Bytes(_rng.Next(3) == 0 ? _rng.Next(0, 300) : _rng.Next(0, 48));
        return new FuzzMessage(new VhostUserHeader(request, flags, (uint)payload.Length), payload, RandomFds(_rng.Next(0, 4)));
    }

    private FuzzMessage Mutate(FuzzMessage m)
    {
        VhostUserHeader h = m.Header;
        byte[] payload = m.SentPayload;
        int[] fds = m.Fds;
        switch (_rng.Next(8))
        {
            case 0:
                h = h with { Flags = (VhostUserFlags)((uint)h.Flags ^ (1u << _rng.Next(32))) };
                break;
            case 1:
                h = h with { Request = h.Request ^ (1u << _rng.Next(32)) };
                break;
            case 2:
                uint size = h.Size ^ (1u << _rng.Next(_rng.Next(4) == 0 ? 32 : 8));
                h = h with { Size = size };
                payload = size > VhostUserLimits.MaxPayloadSize ? [] : Resize(payload, (int)size);
                break;
            case 3 when payload.Length > 0:
                payload = (byte[])payload.Clone();
                payload[_rng.Next(payload.Length)] ^= (byte)(1 << _rng.Next(8));
                break;
            case 4 when payload.Length >= 8:
                payload = (byte[])payload.Clone();
                BinaryPrimitives.WriteUInt64LittleEndian(payload.AsSpan(_rng.Next(payload.Length - 7)), Interesting());
                break;
            case 5:
                fds = [.. fds, _pool.Any(_rng)];
                break;
            case 6 when fds.Length > 0:
                fds = fds[1..];
                break;
            default:
                // A truncated message: the back-end must time out, not wait forever.
                if (_rng.Next(50) == 0 && payload.Length > 1)
                {
                    payload = payload[..(payload.Length / 2)];
                }

                break;
        }

        return new FuzzMessage(h, payload, fds);
    }

    private FuzzMessage Structured(FrontendRequest r)
    {
        uint ring = (uint)Usually(_rng.Next(2), 2, 255);
        return r switch
        {
            FrontendRequest.SetFeatures => Plain(r, U64Payload.ToArray(_rng.Next(4) == 0 ? Interesting() : (ulong)_rng.NextInt64() & ((1UL << 32) | (1UL << 30) | (1UL << 29) | 1))),
            FrontendRequest.SetProtocolFeatures => Plain(r, U64Payload.ToArray(_rng.Next(4) == 0 ? Interesting() : (ulong)_rng.NextInt64() & (ulong)(VhostUserBackend.ImplementedProtocolFeatures | FuzzDevice.VendorFeature))),
            FrontendRequest.SetMemTable => MemTable(clean: false),
            FrontendRequest.SetLogBase => Plain(r, Bytes(16), _pool.Any(_rng)),
            FrontendRequest.SetLogFd => Plain(r, [], _pool.Any(_rng)),
            FrontendRequest.SetVringNum => Plain(r, new VringState(ring, (uint)Usually(Pick(16, 64, 256, 1), 512, 3, 0, 32768)).ToArray()),
            FrontendRequest.SetVringAddr => Plain(r, RingAddress(ring, bend: true).ToArray()),
            FrontendRequest.SetVringBase => Plain(r, new VringState(ring, (uint)Usually(Pick(0, 5, 0xFFFF), 0x10000, _rng.Next())).ToArray()),
            FrontendRequest.GetVringBase or FrontendRequest.SetVringEnable => Plain(r, new VringState(ring, (uint)Usually(Pick(0, 1, 1), 2)).ToArray()),
            FrontendRequest.SetVringKick or FrontendRequest.SetVringCall or FrontendRequest.SetVringErr => VringFd(r, (byte)ring),
            FrontendRequest.SetBackendReqFd => Plain(r, [], _rng.Next(10) == 0 ? _pool.Any(_rng) : _pool.Socket),
            FrontendRequest.GetConfig or FrontendRequest.SetConfig => Plain(r, new ConfigPayload((uint)Usually(Pick(8, 12), 0, 15, 16, 17, -1), (uint)Usually(Pick(0, 1), 2), Bytes(Usually(Pick(0, 1, 4), 8, 16, 20))).ToArray()),
            FrontendRequest.GetInflightFd => Plain(r, Inflight().ToArray()),
            FrontendRequest.SetInflightFd => Plain(r, Inflight().ToArray(), _rng.Next(10) == 0 ? _pool.Any(_rng) : _pool.Inflight.Number),
            FrontendRequest.AddMemReg => SingleRegion(r, withFd: true),
            FrontendRequest.RemMemReg => SingleRegion(r, withFd: _rng.Next(4) == 0),
            FrontendRequest.SetStatus => Plain(r, U64Payload.ToArray((ulong)Usually(Pick(0, 1, 3, 7, 15, 0x80), 0x100))),
            FrontendRequest.SetDeviceStateFd => Plain(r, Bytes(8), _pool.Any(_rng)),
            _ when _rng.Next(10) == 0 => Plain((FrontendRequest)1000, Bytes(_rng.Next(0, 70))),
            _ when _rng.Next(10) == 0 => Plain((FrontendRequest)1001, Bytes(8), _pool.EventFds[0]),
            _ => Plain(r, []),
        };
    }

    private FuzzMessage MemTable(bool clean)
    {
        int count = !clean && _rng.Next(10) == 0 ? _rng.Next(1, 9) : 2;
        var regions = new List<MemoryRegionDescription>();
        int[] fds = new int[count];
        for (int i = 0; i < count; i++)
        {
            regions.Add(Region(i % 2, bend: !clean));
            fds[i] = !clean && _rng.Next(10) == 0 ? _pool.Any(_rng) : _pool.Memory.Regions[i % 2].Fd.Number;
        }

        return Plain(FrontendRequest.SetMemTable, new MemoryTable(regions).ToArray(), fds);
    }

    private FuzzMessage SingleRegion(FrontendRequest r, bool withFd)
    {
        int which = _rng.Next(2);
        byte[] payload = SingleMemoryRegion.ToArray(Region(which, bend: true));
        return withFd ? Plain(r, payload, _pool.Memory.Regions[which].Fd.Number) : Plain(r, payload);
    }

    /// <summary>The real description of pool region <paramref name="i"/>, now and then bent out of shape.</summary>
    private MemoryRegionDescription Region(int i, bool bend)
    {
        var r = new MemoryRegionDescription(
            _pool.Memory.Regions[i].GuestBase, _pool.Memory.Regions[i].Size, _pool.Memory.Regions[i].UserAddress, 0);
        return (bend ? _rng.Next(20) : 19) switch
        {
            0 => r with { MmapOffset = Interesting() },
            1 => r with { Size = Interesting() },
            2 => r with { GuestAddress = Interesting() },
            3 => r with { UserAddress = Interesting() },
            _ => r,
        };
    }

    private VringAddress RingAddress(uint ring, bool bend)
    {
        ulong user = _pool.Memory.Regions[0].UserAddress + (0x1000UL * (1 + (ring * 4)));
        var a = new VringAddress(ring, 0, user, user + 0x2000, user + 0x1000, 0);
        return (bend ? _rng.Next(16) : 15) switch
        {
            0 => a with { Descriptor = a.Descriptor + (ulong)_rng.Next(-64, 64) },
            1 => a with { Used = Interesting() },
            2 => a with { Flags = (uint)Pick(1, 2) },
            _ => a,
        };
    }

    private InflightDescription Inflight() =>
        new((ulong)Usually(0x10000, 0, 0x1000, 0x100000, -1), (ulong)Usually(0, 64, 0xFFF0, -1), (ushort)Usually(Pick(1, 2), 3, 0), (ushort)Usually(16, 256, 3, 0));

    private FuzzMessage VringFd(FrontendRequest r, byte ring)
    {
        bool noFd = _rng.Next(10) == 0;
        byte[] payload = new VringFdRequest(ring, noFd).ToArray();
        return noFd ? Plain(r, payload) : Plain(r, payload, _rng.Next(10) == 0 ? _pool.Any(_rng) : _pool.EventFds[_rng.Next(_pool.EventFds.Count)]);
    }

    private FuzzMessage Plain(FrontendRequest r, byte[] payload, params int[] fds) =>
        new(VhostUserHeader.ForRequest((uint)r, payload.Length, needReply: _rng.Next(3) == 0), payload, fds);

    private int[] RandomFds(int count)
    {
        int[] fds = new int[count];
        for (int i = 0; i < count; i++)
        {
            fds[i] = _pool.Any(_rng);
        }

        return fds;
    }

    private int Pick(params int[] choices) => choices[_rng.Next(choices.Length)];

    /// <summary><paramref name="usual"/> most of the time, so sessions live long enough to reach deep states.</summary>
    private int Usually(int usual, params int[] unusual) => _rng.Next(10) == 0 ? Pick(unusual) : usual;

    private ulong Interesting() => _rng.Next(6) switch
    {
        0 => 0,
        1 => ulong.MaxValue,
        2 => ulong.MaxValue - (ulong)_rng.Next(0x10000),
        3 => 1UL << _rng.Next(64),
        4 => (ulong)_rng.Next(0x200000),
        _ => (ulong)_rng.NextInt64(),
    };

    private byte[] Bytes(int length)
    {
        byte[] b = new byte[length];
        _rng.NextBytes(b);
        return b;
    }

    private byte[] Resize(byte[] payload, int length)
    {
        byte[] b = Bytes(length);
        payload.AsSpan(0, Math.Min(length, payload.Length)).CopyTo(b);
        return b;
    }
}
