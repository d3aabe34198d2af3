namespace Emulator.Vmm;

/// <summary>The VM's run state; the names follow QEMU's RunState (shown by <c>info status</c>).</summary>
public enum RunState
{
    /// <summary>Created but not started yet (QEMU's -S).</summary>
    Prelaunch,
    Running,
    Paused,

    /// <summary>Stopped by the debugger.</summary>
    Debug,

    /// <summary>The guest shut down and the VM was kept (QEMU's -no-shutdown).</summary>
    Shutdown,
    InternalError,
    GuestPanicked,
}
