using Emulator.Chardev;
using Emulator.Memory;
using Emulator.VhostUser;

namespace Emulator.Vmm.Chardev;

/// <summary>How a <see cref="ChardevClient"/> sets up its connection.</summary>
public sealed class ChardevClientOptions
{
    /// <summary>The chardev id, for messages and ring names.</summary>
    public required string Id { get; init; }

    /// <summary>Byte streams to create (0..4); the server must have at least as many front-ends.</summary>
    public int StreamCount { get; init; }

    public int RingCapacity { get; init; } = ChardevHub.DefaultRingCapacity;

    /// <summary>Guest RAM to share with SET_MEM_TABLE (virtio-console needs it), or null.</summary>
    public GuestMemory? Memory { get; init; }

    /// <summary>Virtio features to acknowledge when offered (the virtio-console's, for a driver).</summary>
    public ulong VirtioFeatures { get; init; } = VirtioConsoleLayout.FeatureVersion1;

    /// <summary>Protocol features to acknowledge when offered.</summary>
    public VhostUserProtocolFeatures ProtocolFeatures { get; init; } =
        VhostUserProtocolFeatures.ReplyAck | VhostUserProtocolFeatures.BackendReq | VhostUserProtocolFeatures.ResetDevice
        | VhostUserProtocolFeatures.Config | ByteStreamProtocol.EmuByteStreams;

    /// <summary>How long the server may take to answer; -1 waits for ever (a <c>wait=on</c> server opens only when its client comes).</summary>
    public int TimeoutMs { get; init; } = 10000;

    /// <summary>Server events, on the client's listener thread. Set here so no early event is missed.</summary>
    public Action<ChardevEvent>? OnEvent { get; init; }

    /// <summary>Where problems with the connection are reported.</summary>
    public Action<string> Log { get; init; } = static _ => { };
}
