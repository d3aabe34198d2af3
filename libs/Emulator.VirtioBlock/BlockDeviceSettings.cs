namespace Emulator.VirtioBlock;

/// <summary>How the device presents its disk (from the command line); validated by <see cref="Validate"/>.</summary>
public sealed record BlockDeviceSettings
{
    /// <summary>Largest queue count; the vhost-user ring index is 8 bits, and QEMU stops at 1024 anyway.</summary>
    public const int MaxQueues = 64;

    /// <summary>Refuse writes even if the image could take them (--read-only, or an image opened read-only).</summary>
    public bool ReadOnly { get; init; }

    /// <summary>GET_ID's answer, at most 20 bytes of ASCII.</summary>
    public string Serial { get; init; } = string.Empty;

    public int NumQueues { get; init; } = 1;

    /// <summary>--discard unmap: discards reach the image and write-zeroes may deallocate.</summary>
    public bool DiscardUnmap { get; init; }

    /// <summary>The write cache starts enabled (the driver may turn it off through CONFIG_WCE).</summary>
    public bool Writeback { get; init; } = true;

    public ushort MaxQueueSize { get; init; } = 1024;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad setting.</summary>
    public void Validate()
    {
        if (NumQueues is < 1 or > MaxQueues)
        {
            throw new ArgumentException($"num-queues {NumQueues} is not in 1..{MaxQueues}");
        }

        if (Serial.Length > BlockLimits.IdBytes || Serial.Any(c => c is < ' ' or > '~'))
        {
            throw new ArgumentException($"serial '{Serial}' is not at most {BlockLimits.IdBytes} printable ASCII characters");
        }

        if (MaxQueueSize == 0 || (MaxQueueSize & (MaxQueueSize - 1)) != 0)
        {
            throw new ArgumentException($"maximum queue size {MaxQueueSize} is not a power of two");
        }
    }
}
