namespace Emulator.Bench;

/// <summary>How the front-end waits for the device server's call after a kick.</summary>
public enum FrontendWait
{
    /// <summary>Spin on used.idx in shared memory for a short budget, then block in poll() on the call eventfd.</summary>
    Adaptive,

    /// <summary>Block in poll() on the call eventfd straight away (what a plain event loop would do).</summary>
    PollOnly,
}
