using System.Buffers;

namespace Emulator.Chardev;

/// <summary>
/// The pump's <see cref="IMuxInputSink"/>: data goes straight into the focused front-end's ring;
/// text for the terminal and the escape commands' events are collected while the mux lock is held
/// and carried out by <see cref="ByteStreamPump"/> after it is released.
/// </summary>
internal sealed class PumpMuxSink : IMuxInputSink
{
    private readonly IReadOnlyList<FrontEndChannel> _frontEnds;

    public PumpMuxSink(IReadOnlyList<FrontEndChannel> frontEnds)
    {
        _frontEnds = frontEnds;
    }

    public ArrayBufferWriter<byte> PendingOutput { get; } = new();

    public List<MuxEvent> PendingEvents { get; } = [];

    public int Deliver(int frontEnd, ReadOnlySpan<byte> data) => _frontEnds[frontEnd].Input.TryWrite(data);

    public void WriteToBackend(ReadOnlySpan<byte> data) => PendingOutput.Write(data);

    public void ExitRequested() => PendingEvents.Add(new MuxEvent(MuxEventKind.Exit, 0, 0));

    public void BreakRequested(int frontEnd) => PendingEvents.Add(new MuxEvent(MuxEventKind.Break, frontEnd, 0));

    public void FocusChanged(int previous, int current) => PendingEvents.Add(new MuxEvent(MuxEventKind.Focus, previous, current));

    public void CommitRequested() => PendingEvents.Add(new MuxEvent(MuxEventKind.Commit, 0, 0));
}
