using System.Collections.ObjectModel;
using Emulator.Memory;

namespace Emulator.Virtio;

/// <summary>
/// One request popped from a <see cref="SplitQueue"/>: the head index to return with
/// <see cref="SplitQueue.AddUsed"/> and the buffers, already copied out and validated
/// (readable ones first). Devices use <see cref="Reader"/> and <see cref="Writer"/>, not the descriptors.
/// </summary>
public sealed class DescriptorChain
{
    private readonly GuestMemory _memory;
    private readonly Descriptor[] _descriptors;
    private readonly int _readableCount;
    private readonly IGuestWriteLog? _log;
    private DescriptorChainReader? _reader;
    private DescriptorChainWriter? _writer;

    internal DescriptorChain(GuestMemory memory, ushort headIndex, Descriptor[] descriptors, int readableCount, uint readableLength, uint writableLength, IGuestWriteLog? log = null)
    {
        _log = log;
        _memory = memory;
        _descriptors = descriptors;
        _readableCount = readableCount;
        HeadIndex = headIndex;
        ReadableLength = readableLength;
        WritableLength = writableLength;
        Descriptors = new ReadOnlyCollection<Descriptor>(descriptors);
    }

    public ushort HeadIndex { get; }

    /// <summary>The validated buffers in chain order (indirect tables already flattened).</summary>
    public IReadOnlyList<Descriptor> Descriptors { get; }

    public uint ReadableLength { get; }

    public uint WritableLength { get; }

    /// <summary>The one reader over the readable buffers (the same object on every access).</summary>
    public DescriptorChainReader Reader =>
        _reader ??= new DescriptorChainReader(new BufferCursor(_memory, _descriptors[.._readableCount]));

    /// <summary>
    /// The one writer over the writable buffers (the same object on every access). Its writes go to the
    /// queue's <see cref="SplitQueue.WriteLog"/>, if any.
    /// </summary>
    public DescriptorChainWriter Writer =>
        _writer ??= new DescriptorChainWriter(new BufferCursor(_memory, _descriptors[_readableCount..], _log));
}
