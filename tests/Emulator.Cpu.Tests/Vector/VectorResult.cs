namespace Emulator.Cpu.Tests.Vector;

/// <summary>The register block and scratch memory after a run, or why the run did not complete.</summary>
public sealed record VectorResult(VectorState State, byte[] Memory, string? Failure = null);
