using Emulator.Block;
using Emulator.Memory;
using Emulator.Virtio;

namespace Emulator.VirtioBlock;

/// <summary>
/// Runs one request against the image, straight between the image and the guest's buffers (a span
/// of shared memory when the piece lies in one region, a bounded bounce buffer when it straddles
/// two), then writes the status byte. Every guest or host failure becomes a status; only a guest
/// memory error (impossible for a chain the walker validated while the memory table is fixed) escapes.
/// One per ring: not thread-safe.
/// </summary>
internal sealed class BlockRequestExecutor
{
    private const int BounceSize = 64 * 1024;

    private readonly GuestMemory _memory;
    private readonly IBlockImage _image;
    private readonly byte[] _id;
    private readonly bool _discardUnmap;
    private readonly Action<string> _log;
    private readonly Action<ulong, ulong>? _wrote;
    private readonly byte[] _bounce = new byte[BounceSize];

    /// <summary>
    /// <paramref name="wrote"/> hears of every guest range this executor writes (data, id, status), after
    /// the bytes land and before the request is published: the hook for a dirty log.
    /// </summary>
    public BlockRequestExecutor(GuestMemory memory, IBlockImage image, byte[] id, bool discardUnmap, Action<string> log, Action<ulong, ulong>? wrote = null)
    {
        _memory = memory;
        _image = image;
        _id = id;
        _discardUnmap = discardUnmap;
        _log = log;
        _wrote = wrote;
    }

    /// <summary>Handles the chain; returns the used length to report (bytes written into it, status included).</summary>
    public uint Execute(DescriptorChain chain, BlockLimits limits, bool writeThrough)
    {
        Span<byte> header = stackalloc byte[BlockLimits.HeaderSize];
        int got = chain.Reader.Read(header);
        BlockRequest request = BlockRequestParser.Parse(header[..got], chain.Descriptors, limits);
        if (!request.HasStatus)
        {
            _log($"request {chain.HeadIndex} dropped: {request.Error}");
            return 0;
        }

        VirtioBlkStatus status = request.Status;
        if (status != VirtioBlkStatus.Ok)
        {
            _log($"request {chain.HeadIndex} failed: {request.Error}");
        }
        else
        {
            status = Run(chain, request, limits, writeThrough);
        }

        ulong statusAddress = ChainWindow.StatusAddress(chain.Descriptors) ?? throw new InvalidOperationException("status checked by the parser");
        _memory.Write(statusAddress, [(byte)status]);
        _wrote?.Invoke(statusAddress, 1);
        bool dataWritten = request.DataIsWritable && request.Status == VirtioBlkStatus.Ok;
        return (uint)((dataWritten ? request.DataLength : 0) + 1);
    }

    private VirtioBlkStatus Run(DescriptorChain chain, BlockRequest request, BlockLimits limits, bool writeThrough)
    {
        try
        {
            switch (request.Type)
            {
                case VirtioBlkRequestType.In:
                    Read(chain, request);
                    return VirtioBlkStatus.Ok;
                case VirtioBlkRequestType.Out:
                    Write(chain, request);
                    break;
                case VirtioBlkRequestType.Flush:
                    _image.Flush();
                    return VirtioBlkStatus.Ok;
                case VirtioBlkRequestType.GetId:
                    CopyToGuest(chain, _id.AsSpan(0, (int)request.DataLength));
                    return VirtioBlkStatus.Ok;
                default:
                    VirtioBlkStatus status = RangeList(chain, request, limits);
                    if (status != VirtioBlkStatus.Ok)
                    {
                        return status;
                    }

                    break;
            }

            if (writeThrough)
            {
                _image.Flush();
            }

            return VirtioBlkStatus.Ok;
        }
        catch (Exception e) when (e is BlockImageException or IOException or ArgumentOutOfRangeException)
        {
            _log($"{request.Type} at sector {request.Sector} failed on the host: {e.Message}");
            return VirtioBlkStatus.IoErr;
        }
    }

    private void Read(DescriptorChain chain, BlockRequest request)
    {
        ulong offset = request.Sector * BlockLimits.SectorSize;
        foreach ((ulong address, uint length) in ChainWindow.Pieces(chain.Descriptors, true, 0, request.DataLength))
        {
            try
            {
                if (_memory.TryGetSpan(address, (int)length, out Span<byte> span))
                {
                    _image.Read(offset, span);
                }
                else
                {
                    for (uint done = 0; done < length;)
                    {
                        int n = (int)Math.Min(length - done, BounceSize);
                        _image.Read(offset + done, _bounce.AsSpan(0, n));
                        _memory.Write(address + done, _bounce.AsSpan(0, n));
                        done += (uint)n;
                    }
                }
            }
            finally
            {
                // A read that failed half-way may still have changed the guest's buffer.
                _wrote?.Invoke(address, length);
            }

            offset += length;
        }
    }

    private void Write(DescriptorChain chain, BlockRequest request)
    {
        ulong offset = request.Sector * BlockLimits.SectorSize;
        foreach ((ulong address, uint length) in ChainWindow.Pieces(chain.Descriptors, false, BlockLimits.HeaderSize, request.DataLength))
        {
            if (_memory.TryGetSpan(address, (int)length, out Span<byte> span))
            {
                _image.Write(offset, span);
            }
            else
            {
                for (uint done = 0; done < length;)
                {
                    int n = (int)Math.Min(length - done, BounceSize);
                    _memory.Read(address + done, _bounce.AsSpan(0, n));
                    _image.Write(offset + done, _bounce.AsSpan(0, n));
                    done += (uint)n;
                }
            }

            offset += length;
        }
    }

    private void CopyToGuest(DescriptorChain chain, ReadOnlySpan<byte> data)
    {
        foreach ((ulong address, uint length) in ChainWindow.Pieces(chain.Descriptors, true, 0, (ulong)data.Length))
        {
            _memory.Write(address, data[..(int)length]);
            _wrote?.Invoke(address, length);
            data = data[(int)length..];
        }
    }

    private VirtioBlkStatus RangeList(DescriptorChain chain, BlockRequest request, BlockLimits limits)
    {
        // The parser bounded DataLength by the advertised segment count (a few hundred bytes).
        byte[] data = new byte[request.DataLength];
        chain.Reader.ReadExactly(data);
        var segments = new BlockSegment[data.Length / BlockLimits.SegmentSize];
        VirtioBlkStatus status = BlockRequestParser.ParseSegments(request.Type, data, limits, segments, out string? error);
        if (status != VirtioBlkStatus.Ok)
        {
            _log($"request {chain.HeadIndex} failed: {error}");
            return status;
        }

        foreach (BlockSegment s in segments)
        {
            ulong offset = s.Sector * BlockLimits.SectorSize;
            ulong length = (ulong)s.NumSectors * BlockLimits.SectorSize;
            if (length == 0)
            {
                continue;
            }

            if (request.Type == VirtioBlkRequestType.WriteZeroes)
            {
                _image.WriteZeroes(offset, length, s.Unmap && _discardUnmap);
            }
            else if (_discardUnmap)
            {
                _image.Discard(offset, length);
            }
        }

        return VirtioBlkStatus.Ok;
    }
}
