namespace Emulator.Virtio;

/// <summary>
/// The guest broke the virtqueue contract (bad ring layout, hostile descriptor chain, or a request
/// that does not fit its buffers). The only exception the queue code throws for guest-controlled
/// data: a device catches this one type and sets DEVICE_NEEDS_RESET or fails the request.
/// </summary>
public sealed class VirtqueueException : Exception
{
    public VirtqueueException(string message)
        : base(message)
    {
    }

    public VirtqueueException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
