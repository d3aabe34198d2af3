namespace Emulator.Virtio;

/// <summary>A chain a <see cref="MockSplitQueue"/> published: its head and where its buffers are.</summary>
public sealed record MockChain(ushort Head, IReadOnlyList<Descriptor> Readable, IReadOnlyList<Descriptor> Writable);
