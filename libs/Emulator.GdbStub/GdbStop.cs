namespace Emulator.GdbStub;

/// <summary>A stop as the target reports it; <see cref="Address"/> is the watched address for <see cref="GdbStopReason.WriteWatchpoint"/>.</summary>
public readonly record struct GdbStop(GdbStopReason Reason, ulong Address = 0);
