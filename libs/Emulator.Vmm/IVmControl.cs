namespace Emulator.Vmm;

/// <summary>
/// What the monitor may do to the VM. Implementations must be thread-safe: the monitor runs on
/// its own I/O thread. A refused request throws <see cref="VmControlException"/>, which the
/// monitor prints as <c>Error: message</c>.
/// </summary>
public interface IVmControl
{
    RunState State { get; }

    /// <summary>Stops the vCPUs (<c>stop</c>).</summary>
    void Pause();

    /// <summary>Resumes the vCPUs (<c>cont</c>).</summary>
    void Resume();

    /// <summary>Resets the machine as the reset button would (<c>system_reset</c>).</summary>
    void Reset();

    /// <summary>Asks the emulator to exit (<c>quit</c>); may return before it has.</summary>
    void Quit();

    /// <summary>The current vCPU's registers for <c>info registers</c>, newline-separated.</summary>
    string FormatRegisters();
}
