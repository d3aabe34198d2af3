using Emulator.Cpu;

namespace Emulator.GdbStub;

/// <summary>
/// Runs an <see cref="Interpreter"/> so breakpoints hold: with none set it is one
/// <see cref="Interpreter.Run"/>; otherwise it steps, and before each instruction checks its linear
/// address (CS.Base + RIP outside 64-bit mode, like QEMU's pc) against the set. The instruction at
/// <c>resumeFrom</c> is exempt for the first step only, so continuing from a breakpoint executes it
/// instead of stopping again. With write watchpoints and a <c>memory</c> to read them through, it stops
/// after an instruction that changed a watched value. Runs on the vCPU thread.
/// </summary>
public static class DebugExecutor
{
    public static DebugStop Run(Interpreter interpreter, Vcpu vcpu, BreakpointSet breakpoints, long budget, ulong? resumeFrom = null, IDebugMemory? memory = null)
    {
        ArgumentNullException.ThrowIfNull(interpreter);
        ArgumentNullException.ThrowIfNull(vcpu);
        ArgumentNullException.ThrowIfNull(breakpoints);
        ArgumentOutOfRangeException.ThrowIfNegative(budget);
        if (breakpoints.IsEmpty)
        {
            return new DebugStop(interpreter.Run(budget), null, 0);
        }

        WatchTracker? watches = null;
        if (memory is not null && !breakpoints.Watchpoints.IsEmpty)
        {
            watches = new WatchTracker();
            watches.Capture(memory, breakpoints.Watchpoints);
        }

        for (long i = 0; i < budget; i++)
        {
            ulong linear = LinearPc(in vcpu.State);
            if (!(i == 0 && resumeFrom == linear) && breakpoints.Match(linear) is { } hit)
            {
                return new DebugStop(ExitReason.InstructionLimit, hit, linear);
            }

            ExitReason reason = interpreter.Step();
            if (watches is not null && memory is not null && watches.TryFindChange(memory, out ulong watched))
            {
                return new DebugStop(reason, GdbStopReason.WriteWatchpoint, watched);
            }

            if (reason != ExitReason.InstructionLimit)
            {
                return new DebugStop(reason, null, 0);
            }
        }

        return new DebugStop(ExitReason.InstructionLimit, null, 0);
    }

    /// <summary>The linear address of the next instruction, what breakpoints and gdb's $pc name.</summary>
    public static ulong LinearPc(in CpuState state) =>
        state.In64BitMode ? state.Rip : (state.Segments[(int)SegmentRegister.Cs].Base + state.Rip) & 0xFFFF_FFFF;
}
