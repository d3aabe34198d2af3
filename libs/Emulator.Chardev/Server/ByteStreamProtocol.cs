using Emulator.VhostUser;

namespace Emulator.Chardev;

/// <summary>
/// The chardev server's vendor extension of vhost-user (see Server/README.md): shared byte rings for
/// the platform UARTs and the monitor, and the mux's events sent back on the BACKEND_REQ channel.
/// </summary>
public static class ByteStreamProtocol
{
    /// <summary>Vendor protocol-feature bit 56 gates both the request and the event.</summary>
    public const VhostUserProtocolFeatures EmuByteStreams = (VhostUserProtocolFeatures)(1UL << 56);

    /// <summary>Front-end request EMU_SET_BYTE_STREAM: payload <see cref="ByteStreamRequest"/>, <see cref="RingFdCount"/> fds.</summary>
    public const uint SetByteStream = 1000;

    /// <summary>Back-end request EMU_CHARDEV_EVENT: payload <see cref="ChardevEvent"/>, no fds.</summary>
    public const uint ChardevEventRequest = 1000;

    /// <summary>Streams per chardev: one per mux front-end (QEMU's MAX_MUX).</summary>
    public const int MaxStreams = ChardevMux.MaxFrontEnds;

    /// <summary>
    /// The descriptors of EMU_SET_BYTE_STREAM, in order: the ring toward the back-end (memfd, data
    /// eventfd, space eventfd), then the ring toward the front-end (the same three).
    /// </summary>
    public const int RingFdCount = 6;

    /// <summary>The requests a chardev server accepts beyond the standard ones.</summary>
    public static IReadOnlyList<VendorRequest> FrontendRequests { get; } =
        [new VendorRequest(SetByteStream, ByteStreamRequest.Size, ByteStreamRequest.Size, RingFdCount, EmuByteStreams)];

    /// <summary>The back-end requests a front-end accepts from a chardev server.</summary>
    public static IReadOnlyList<VendorRequest> BackendRequests { get; } =
        [new VendorRequest(ChardevEventRequest, ChardevEvent.Size, ChardevEvent.Size, 0, EmuByteStreams)];
}
