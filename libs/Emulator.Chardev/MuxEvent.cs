namespace Emulator.Chardev;

/// <summary>An escape command's effect, queued by <see cref="PumpMuxSink"/>.</summary>
internal readonly record struct MuxEvent(MuxEventKind Kind, int First, int Second);
