using Emulator.Cpu;

namespace Emulator.GdbStub;

/// <summary>
/// How a <see cref="DebugExecutor.Run"/> ended: at a breakpoint (<see cref="Stop"/> set, RIP at the
/// instruction, not executed), after an instruction that hit a watchpoint (<see cref="Stop"/> set,
/// <see cref="Address"/> the watched address), or with the interpreter's own <see cref="Exit"/>
/// (InstructionLimit when the budget ran out).
/// </summary>
public readonly record struct DebugStop(ExitReason Exit, GdbStopReason? Stop, ulong Address);
