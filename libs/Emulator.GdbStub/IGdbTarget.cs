namespace Emulator.GdbStub;

/// <summary>
/// What the stub needs from the machine. All calls come from the stub's connection thread. Register and
/// memory access happen only while the target is stopped (after <see cref="Pause"/> returned or a stop
/// was reported, before the next <see cref="Resume"/>). Stops are reported on any thread through the
/// listener given to <see cref="SetStopListener"/>: at most one per <see cref="Resume"/>.
/// </summary>
public interface IGdbTarget
{
    /// <summary>Register <paramref name="number"/> (numbered as <see cref="X86GdbRegisters"/>) into <paramref name="destination"/>; false if there is none.</summary>
    bool TryReadRegister(int number, Span<byte> destination);

    bool TryWriteRegister(int number, ReadOnlySpan<byte> value);

    /// <summary>Reads guest memory by virtual (linear) address as the vCPU translates it now; false if any page is unmapped.</summary>
    bool TryReadMemory(ulong address, Span<byte> destination);

    /// <summary>Writes guest memory by virtual address (ignoring write protection, as a debugger may); all or nothing.</summary>
    bool TryWriteMemory(ulong address, ReadOnlySpan<byte> source);

    /// <summary>False when the type is not supported (the stub then replies with an empty packet).</summary>
    bool TryAddBreakpoint(GdbBreakpointType type, ulong address, ulong length);

    bool TryRemoveBreakpoint(GdbBreakpointType type, ulong address, ulong length);

    /// <summary>Stops the guest and returns once it is stopped (false if it did not stop within <paramref name="timeout"/>).</summary>
    bool Pause(TimeSpan timeout);

    /// <summary>Lets the guest run (one instruction when <paramref name="step"/>); returns at once.</summary>
    void Resume(bool step);

    /// <summary>The debugger left (D, or the connection broke): drop all breakpoints and let the guest run.</summary>
    void Detach();

    /// <summary>The debugger asked to end the machine (k).</summary>
    void Kill();

    /// <summary>Where stops go; null to stop reporting. Called before the target parks, so a stop is reported before <see cref="Pause"/> can return.</summary>
    void SetStopListener(Action<GdbStop>? listener);
}
