using Emulator.Cpu;

namespace Emulator.GdbStub;

/// <summary>
/// How a <see cref="DebugExecutor.Run"/> ended: at a breakpoint (<see cref="Breakpoint"/> set, RIP at the
/// instruction, not executed), or with the interpreter's own <see cref="Exit"/> (InstructionLimit when
/// the budget ran out).
/// </summary>
public readonly record struct DebugStop(ExitReason Exit, GdbStopReason? Breakpoint, ulong Address);
