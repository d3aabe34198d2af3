namespace Emulator.Vmm.Machine;

/// <summary>What <see cref="MachineControl.TryBeginSlice(TimeSpan)"/> decided.</summary>
public enum SliceStart
{
    /// <summary>A slice started: run the vCPU, then call <see cref="MachineControl.EndSlice"/>.</summary>
    Run,

    /// <summary>Nothing may run yet (paused, halted, someone inspecting) and the wait timed out.</summary>
    Idle,

    /// <summary>The emulator is exiting.</summary>
    Exit,
}
