namespace Emulator.Cpu.Tests.Differential;

/// <summary>One side of a differential comparison: the host CPU or the interpreter.</summary>
public interface ISnippetRunner
{
    /// <summary>
    /// Runs <paramref name="testCase"/>'s code once from its input state, with its memory image in a scratch buffer
    /// addressed through <see cref="DifferentialCase.MemoryBase"/> (whose value each runner chooses).
    /// </summary>
    ExecutionResult Run(DifferentialCase testCase);
}
