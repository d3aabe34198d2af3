using System.Buffers.Binary;
using Emulator.Virtio;

namespace Emulator.VirtioBlock;

/// <summary>
/// Validates a virtio-blk request (virtio 1.2, 5.2.6) against its descriptor chain before anything
/// touches the disk: header readable and first, status byte last and writable, data in the direction
/// the type needs, sizes in whole sectors, the range inside the disk (checked arithmetic), data
/// buffers within seg_max. Pure: it sees the copied header bytes and the chain's buffer list, never
/// guest memory. Never throws for any input; a bad request comes back with an IOERR or UNSUPP status.
/// </summary>
public static class BlockRequestParser
{
    /// <summary>
    /// Parses the request whose first <see cref="BlockLimits.HeaderSize"/> readable bytes were copied into
    /// <paramref name="header"/> (shorter when the chain has fewer). Legacy type bits (BARRIER, SCSI) are
    /// unknown types here: UNSUPP.
    /// </summary>
    public static BlockRequest Parse(ReadOnlySpan<byte> header, IReadOnlyList<Descriptor> buffers, BlockLimits limits)
    {
        ArgumentNullException.ThrowIfNull(buffers);
        ArgumentNullException.ThrowIfNull(limits);

        bool hasStatus = buffers.Count > 0 && buffers[^1].IsWritable;
        ulong readable = 0;
        ulong writable = 0;
        bool orderBroken = false;
        foreach (Descriptor b in buffers)
        {
            if (b.IsWritable)
            {
                writable += b.Length;
            }
            else
            {
                orderBroken |= writable != 0;
                readable += b.Length;
            }
        }

        if (!hasStatus)
        {
            return Fail(default, VirtioBlkStatus.IoErr, false, "the chain does not end in a device-writable status byte");
        }

        if (orderBroken)
        {
            return Fail(default, VirtioBlkStatus.IoErr, true, "a device-readable buffer follows a device-writable one");
        }

        if (readable < BlockLimits.HeaderSize || header.Length < BlockLimits.HeaderSize)
        {
            return Fail(default, VirtioBlkStatus.IoErr, true, $"the request header needs {BlockLimits.HeaderSize} device-readable bytes, the chain has {readable}");
        }

        var type = (VirtioBlkRequestType)BinaryPrimitives.ReadUInt32LittleEndian(header);
        ulong sector = BinaryPrimitives.ReadUInt64LittleEndian(header[8..]);
        ulong readData = readable - BlockLimits.HeaderSize;
        ulong writeData = writable - 1;
        var request = new BlockRequest { Type = type, Sector = sector, HasStatus = true };

        switch (type)
        {
            case VirtioBlkRequestType.In:
                if (readData != 0)
                {
                    return Fail(request, VirtioBlkStatus.IoErr, true, $"read request carries {readData} device-readable data bytes");
                }

                return CheckTransfer(request with { DataLength = writeData }, DataSegments(buffers, true, 0, writeData), limits);

            case VirtioBlkRequestType.Out:
                if (limits.ReadOnly)
                {
                    return Fail(request, VirtioBlkStatus.IoErr, true, "write to a read-only disk");
                }

                if (writeData != 0)
                {
                    return Fail(request, VirtioBlkStatus.IoErr, true, $"write request carries {writeData} device-writable data bytes");
                }

                return CheckTransfer(request with { DataLength = readData }, DataSegments(buffers, false, BlockLimits.HeaderSize, readData), limits);

            case VirtioBlkRequestType.Flush:
                if (readData != 0 || writeData != 0)
                {
                    return Fail(request, VirtioBlkStatus.IoErr, true, "flush request carries data");
                }

                return request;

            case VirtioBlkRequestType.GetId:
                if (readData != 0)
                {
                    return Fail(request, VirtioBlkStatus.IoErr, true, $"get-id request carries {readData} device-readable data bytes");
                }

                return request with { DataLength = Math.Min(writeData, BlockLimits.IdBytes) };

            case VirtioBlkRequestType.Discard:
            case VirtioBlkRequestType.WriteZeroes:
                return CheckRangeList(request, readData, writeData, limits);

            default:
                return Fail(request, VirtioBlkStatus.Unsupp, true, $"request type {(uint)type} is not supported");
        }
    }

    /// <summary>
    /// Checks the segments of a discard or write-zeroes request (the <paramref name="request"/>'s data
    /// window, copied out) and fills <paramref name="segments"/> (one per 16 bytes). Unknown flags, and
    /// unmap on a discard, are UNSUPP; a range too long or outside the disk is IOERR. Checks every
    /// segment before the caller runs any, so a bad one fails the whole request untouched.
    /// </summary>
    public static VirtioBlkStatus ParseSegments(
        VirtioBlkRequestType type, ReadOnlySpan<byte> data, BlockLimits limits, Span<BlockSegment> segments, out string? error)
    {
        ArgumentNullException.ThrowIfNull(limits);
        error = null;
        bool discard = type == VirtioBlkRequestType.Discard;
        uint maxSectors = discard ? limits.MaxDiscardSectors : limits.MaxWriteZeroesSectors;
        int count = data.Length / BlockLimits.SegmentSize;
        if (data.Length % BlockLimits.SegmentSize != 0 || count > segments.Length)
        {
            error = $"{data.Length} bytes of segments do not make whole segments that fit {segments.Length}";
            return VirtioBlkStatus.IoErr;
        }

        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<byte> s = data.Slice(i * BlockLimits.SegmentSize, BlockLimits.SegmentSize);
            ulong sector = BinaryPrimitives.ReadUInt64LittleEndian(s);
            uint sectors = BinaryPrimitives.ReadUInt32LittleEndian(s[8..]);
            uint flags = BinaryPrimitives.ReadUInt32LittleEndian(s[12..]);
            if ((flags & ~1u) != 0 || (discard && flags != 0))
            {
                error = $"segment {i} has flags 0x{flags:x}, unsupported for {(discard ? "discard" : "write-zeroes")}";
                return VirtioBlkStatus.Unsupp;
            }

            if (sectors > maxSectors)
            {
                error = $"segment {i} covers {sectors} sectors, more than the advertised {maxSectors}";
                return VirtioBlkStatus.IoErr;
            }

            if (!InDisk(sector, sectors, limits.CapacitySectors))
            {
                error = $"segment {i} [sector {sector}, +{sectors}) is outside the {limits.CapacitySectors}-sector disk";
                return VirtioBlkStatus.IoErr;
            }

            segments[i] = new BlockSegment(sector, sectors, (flags & 1) != 0);
        }

        return VirtioBlkStatus.Ok;
    }

    /// <summary>How many buffers of one direction a window of that direction's byte stream touches.</summary>
    public static int DataSegments(IReadOnlyList<Descriptor> buffers, bool writable, ulong start, ulong length)
    {
        ArgumentNullException.ThrowIfNull(buffers);
        if (length == 0)
        {
            return 0;
        }

        ulong end = start + length;
        ulong position = 0;
        int count = 0;
        foreach (Descriptor b in buffers)
        {
            if (b.IsWritable != writable)
            {
                continue;
            }

            ulong next = position + b.Length;
            if (next > start && position < end)
            {
                count++;
            }

            position = next;
        }

        return count;
    }

    /// <summary>True when [sector, sector + count) lies inside a disk of <paramref name="capacity"/> sectors.</summary>
    public static bool InDisk(ulong sector, ulong count, ulong capacity) => sector <= capacity && count <= capacity - sector;

    private static BlockRequest CheckTransfer(BlockRequest request, int segments, BlockLimits limits)
    {
        if (request.DataLength % BlockLimits.SectorSize != 0)
        {
            return Fail(request, VirtioBlkStatus.IoErr, true, $"{request.DataLength} data bytes are not whole 512-byte sectors");
        }

        if (segments > limits.SegMax)
        {
            return Fail(request, VirtioBlkStatus.IoErr, true, $"{segments} data buffers, more than the advertised seg_max {limits.SegMax}");
        }

        if (!InDisk(request.Sector, request.DataLength / BlockLimits.SectorSize, limits.CapacitySectors))
        {
            return Fail(request, VirtioBlkStatus.IoErr, true,
                $"[sector {request.Sector}, +{request.DataLength / BlockLimits.SectorSize}) is outside the {limits.CapacitySectors}-sector disk");
        }

        return request;
    }

    private static BlockRequest CheckRangeList(BlockRequest request, ulong readData, ulong writeData, BlockLimits limits)
    {
        bool discard = request.Type == VirtioBlkRequestType.Discard;
        if (!(discard ? limits.DiscardEnabled : limits.WriteZeroesEnabled))
        {
            return Fail(request, VirtioBlkStatus.Unsupp, true, $"{(discard ? "discard" : "write-zeroes")} was not negotiated");
        }

        if (limits.ReadOnly)
        {
            return Fail(request, VirtioBlkStatus.IoErr, true, $"{(discard ? "discard" : "write-zeroes")} on a read-only disk");
        }

        if (writeData != 0)
        {
            return Fail(request, VirtioBlkStatus.IoErr, true, $"{(discard ? "discard" : "write-zeroes")} request carries {writeData} device-writable data bytes");
        }

        uint maxSegments = discard ? limits.MaxDiscardSegments : limits.MaxWriteZeroesSegments;
        if (readData == 0 || readData % BlockLimits.SegmentSize != 0 || readData / BlockLimits.SegmentSize > maxSegments)
        {
            return Fail(request, VirtioBlkStatus.IoErr, true,
                $"{readData} bytes of segments are not 1..{maxSegments} whole {BlockLimits.SegmentSize}-byte segments");
        }

        return request with { DataLength = readData };
    }

    private static BlockRequest Fail(BlockRequest request, VirtioBlkStatus status, bool hasStatus, string error) =>
        request with { Status = status, HasStatus = hasStatus, Error = error };
}
