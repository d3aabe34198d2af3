using Emulator.Memory;
using Emulator.Posix;

namespace Emulator.VhostUser;

/// <summary>Ring setup requests.</summary>
public sealed partial class VhostUserFrontend
{
    public void SetVringNum(int index, ushort size) => Post(FrontendRequest.SetVringNum, new VringState((uint)index, size).ToArray());

    /// <summary>Ring addresses are front-end virtual addresses (see <see cref="ToUserAddress"/>).</summary>
    public void SetVringAddr(VringAddress address) => Post(FrontendRequest.SetVringAddr, address.ToArray());

    public void SetVringBase(int index, ushort nextAvail) => Post(FrontendRequest.SetVringBase, new VringState((uint)index, nextAvail).ToArray());

    /// <summary>Stops the ring and returns the next avail index the back-end would have processed.</summary>
    public ushort GetVringBase(int index)
    {
        using VhostUserMessage reply = Call(FrontendRequest.GetVringBase, new VringState((uint)index, 0).ToArray(), VringState.Size);
        VringState state = VringState.Parse(reply.Payload);
        if (state.Index != (uint)index || state.Num > ushort.MaxValue)
        {
            throw new VhostUserProtocolException($"GET_VRING_BASE reply for ring {state.Index} base {state.Num}, asked about ring {index}");
        }

        return (ushort)state.Num;
    }

    public void SetVringKick(int index, EventFd? kick) => SetVringFd(FrontendRequest.SetVringKick, index, kick);

    public void SetVringCall(int index, EventFd? call) => SetVringFd(FrontendRequest.SetVringCall, index, call);

    public void SetVringErr(int index, EventFd? err) => SetVringFd(FrontendRequest.SetVringErr, index, err);

    public void SetVringEnable(int index, bool enable) => Post(FrontendRequest.SetVringEnable, new VringState((uint)index, enable ? 1u : 0u).ToArray());

    /// <summary>
    /// The usual ring sequence: NUM, BASE, ADDR (guest-physical addresses translated to front-end virtual
    /// ones), CALL, KICK, and ENABLE when protocol features are in use. With a dirty log in use
    /// (<see cref="EnableDirtyLog"/> first) the address also asks for used-ring logging.
    /// </summary>
    public void ConfigureQueue(int index, GuestMemory memory, ushort size, ulong descriptorTable, ulong availableRing, ulong usedRing,
        EventFd kick, EventFd? call, ushort nextAvail = 0)
    {
        SetVringNum(index, size);
        SetVringBase(index, nextAvail);
        (uint logFlags, ulong logAddress) = RingLogging(usedRing);
        SetVringAddr(new VringAddress(
            (uint)index, logFlags, ToUserAddress(memory, descriptorTable), ToUserAddress(memory, usedRing), ToUserAddress(memory, availableRing), logAddress));
        SetVringCall(index, call);
        SetVringKick(index, kick);
        if ((Features & VhostUserFeatureBits.ProtocolFeatures) != 0)
        {
            SetVringEnable(index, true);
        }
    }

    private void SetVringFd(FrontendRequest request, int index, EventFd? fd)
    {
        if (index is < 0 or >= VhostUserLimits.MaxQueues)
        {
            throw new ArgumentOutOfRangeException(nameof(index), $"ring index {index} does not fit 8 bits");
        }

        var payload = new VringFdRequest((byte)index, fd is null);
        if (fd is null)
        {
            Post(request, payload.ToArray());
        }
        else
        {
            Post(request, payload.ToArray(), [fd.Handle.Number]);
        }
    }
}
