using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// Executes one decoded instruction. RIP already points past it (branches overwrite it). Returns
/// <see cref="ExitReason.Continue"/>, <see cref="ExitReason.Halted"/>, or <see cref="ExitReason.Exception"/>
/// with the fault recorded in the context (and then must have changed nothing).
/// </summary>
public delegate ExitReason InstructionHandler(ExecutionContext cpu, in Instruction instruction);
