namespace Emulator.Virtio;

/// <summary>Bits of <c>virtq_desc.flags</c> (virtio 1.2, 2.7.5).</summary>
public static class DescriptorFlags
{
    /// <summary>The chain continues at <c>next</c>.</summary>
    public const ushort Next = 1;

    /// <summary>The buffer is device-writable (otherwise device-readable).</summary>
    public const ushort Write = 2;

    /// <summary>The buffer is a table of further descriptors.</summary>
    public const ushort Indirect = 4;
}
