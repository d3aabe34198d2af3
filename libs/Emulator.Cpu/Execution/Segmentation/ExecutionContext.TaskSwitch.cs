namespace Emulator.Cpu;

public sealed partial class ExecutionContext
{
    /// <summary>
    /// Set when a task switch faulted after it was committed (SDM vol. 3, 7.3 step 12 on): the fault
    /// belongs to the new task, so the interpreter must not roll RIP back to the instruction that
    /// switched. Read and cleared with <see cref="TakeTaskCommitted"/>.
    /// </summary>
    internal bool TaskCommitted { get; set; }

    /// <summary>Whether the last fault came after a committed task switch; clears the mark.</summary>
    internal bool TakeTaskCommitted()
    {
        bool committed = TaskCommitted;
        TaskCommitted = false;
        return committed;
    }
}
