namespace Emulator.Cpu.Tests.Differential;

/// <summary>
/// The outcome of comparing two runs of one case: whether every defined result matched, a message naming the
/// instruction, inputs, both outputs and the differing parts, and the undefined flag bits that differed (skipped).
/// </summary>
public sealed record Comparison(bool Matches, string Message, ulong UndefinedFlagDifferences);
