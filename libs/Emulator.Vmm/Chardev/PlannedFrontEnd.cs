namespace Emulator.Vmm.Chardev;

/// <summary>One user of a chardev: a serial port or a monitor, numbered in command-line order, and its byte stream.</summary>
/// <param name="Kind">Serial port or monitor.</param>
/// <param name="Index">COM port number, or monitor number.</param>
/// <param name="Stream">The chardev stream (mux front-end index) it gets.</param>
public sealed record PlannedFrontEnd(FrontEndKind Kind, int Index, int Stream);
