using Emulator.Posix;

namespace Emulator.DeviceHost;

/// <summary>
/// Dying with the emulator. The emulator passes <c>--parent-pid</c>; we ask the kernel for SIGTERM
/// when our parent goes (PR_SET_PDEATHSIG), then check the parent is still the expected one,
/// since a parent that died before the prctl call sends nothing.
/// </summary>
public static class ParentDeath
{
    /// <summary>Arms SIGTERM-on-parent-death; false if <paramref name="expectedParent"/> is already gone.</summary>
    public static bool Arm(int expectedParent)
    {
        ProcessControl.SetParentDeathSignal(Signals.SIGTERM);
        return IsParentAlive(expectedParent);
    }

    /// <summary>
    /// The periodic check: the kernel signal fires when the forking *thread* exits, which the
    /// emulator keeps alive on purpose, but a reparented process is the ground truth.
    /// </summary>
    public static bool IsParentAlive(int expectedParent) => ProcessControl.ParentId == expectedParent;
}
