namespace Emulator.VirtioBlock;

/// <summary>
/// A request as <see cref="BlockRequestParser"/> understood it. When <see cref="Status"/> is not
/// <see cref="VirtioBlkStatus.Ok"/> the request must not be executed: answer that status (when
/// <see cref="HasStatus"/>), <see cref="Error"/> says why. The data window is <see cref="DataLength"/> bytes:
/// right after the header in the readable buffers (OUT, DISCARD, WRITE_ZEROES) or at the start of the
/// writable ones (IN, GET_ID).
/// </summary>
public readonly record struct BlockRequest
{
    public VirtioBlkRequestType Type { get; init; }

    public ulong Sector { get; init; }

    public ulong DataLength { get; init; }

    public VirtioBlkStatus Status { get; init; }

    /// <summary>The chain ends in a device-writable byte the status can go to.</summary>
    public bool HasStatus { get; init; }

    public string? Error { get; init; }

    public bool IsValid => Status == VirtioBlkStatus.Ok && HasStatus;

    /// <summary>Data travels device to driver (IN, GET_ID): the window is in the writable buffers.</summary>
    public bool DataIsWritable => Type is VirtioBlkRequestType.In or VirtioBlkRequestType.GetId;
}
