using Emulator.Posix;

namespace Emulator.VhostUser;

/// <summary>
/// What a device server implements to be driven by a <see cref="VhostUserBackend"/>. Every member is called
/// on the session's message thread, one at a time; ring processing happens wherever the device puts it
/// (usually a <see cref="VringWorker"/> per started queue). Arguments are already validated: queue indexes
/// are below <see cref="QueueCount"/> and config ranges lie within <see cref="ConfigSize"/>.
/// A device refuses a request by throwing <see cref="VhostUserProtocolException"/>, which ends the session.
/// </summary>
public interface IVhostUserDevice
{
    /// <summary>Virtio feature bits offered. The back-end adds bit 30 (protocol features) itself.</summary>
    ulong Features { get; }

    /// <summary>Protocol features the device wants offered; masked with what the back-end implements plus vendor bits.</summary>
    VhostUserProtocolFeatures ProtocolFeatures { get; }

    int QueueCount { get; }

    /// <summary>Largest ring size accepted (a power of two, at most 32768).</summary>
    ushort MaxQueueSize { get; }

    /// <summary>Bytes of virtio config space; GET/SET_CONFIG outside it are rejected before reaching the device.</summary>
    uint ConfigSize { get; }

    /// <summary>Vendor requests (codes at or above 1000) the device accepts, each gated by a vendor protocol-feature bit.</summary>
    IReadOnlyList<VendorRequest> VendorRequests => [];

    /// <summary>Returns exactly <paramref name="size"/> bytes of config space at <paramref name="offset"/>.</summary>
    byte[] ReadConfig(uint offset, uint size);

    void WriteConfig(uint offset, ReadOnlySpan<byte> data);

    /// <summary>The driver's acknowledged virtio features (bit 30 removed). Rings are stopped while this runs.</summary>
    void SetFeatures(ulong acked);

    /// <summary>
    /// Starts processing ring <paramref name="index"/>. The setup's memory and eventfds stay valid until
    /// <see cref="StopQueue"/> returns; the device must not dispose them.
    /// </summary>
    void StartQueue(int index, VringSetup setup);

    /// <summary>Stops ring processing (joins its worker) and returns the next avail index to process.</summary>
    ushort StopQueue(int index);

    /// <summary>RESET_DEVICE: back to the initial state. Every ring has been stopped first.</summary>
    void Reset();

    /// <summary>
    /// Handles a declared vendor request. Owns <paramref name="fds"/> (dispose what is not kept). Returns the
    /// reply payload, or null when the request has no reply body.
    /// </summary>
    byte[]? HandleVendorRequest(uint request, ReadOnlySpan<byte> payload, SafeFd[] fds)
    {
        foreach (SafeFd fd in fds)
        {
            fd.Dispose();
        }

        throw new VhostUserProtocolException($"device does not handle vendor request {request}");
    }
}
