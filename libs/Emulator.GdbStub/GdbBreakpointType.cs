namespace Emulator.GdbStub;

/// <summary>The <c>Z</c>/<c>z</c> packet's type field.</summary>
public enum GdbBreakpointType
{
    Software = 0,
    Hardware = 1,
    WriteWatchpoint = 2,
    ReadWatchpoint = 3,
    AccessWatchpoint = 4,
}
