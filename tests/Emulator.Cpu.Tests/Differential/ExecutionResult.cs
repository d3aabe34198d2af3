namespace Emulator.Cpu.Tests.Differential;

/// <summary>
/// What one run of a snippet left behind: its registers and the scratch data buffer, or, when the run did not
/// reach the end of the snippet (an interpreter exception or a wrong exit), why.
/// </summary>
public sealed record ExecutionResult(RegisterSnapshot Registers, byte[] Memory, string? Failure = null);
