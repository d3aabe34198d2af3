namespace Emulator.Platform;

/// <summary>What the rebuilt ISA devices call back into the platform.</summary>
internal sealed record PcLegacyCallbacks(Action<bool> A20Changed, Action Reset, Action PowerOff);
