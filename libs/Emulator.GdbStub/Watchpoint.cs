namespace Emulator.GdbStub;

/// <summary>A write watchpoint: <see cref="Length"/> bytes at linear <see cref="Address"/>.</summary>
public readonly record struct Watchpoint(ulong Address, int Length);
