namespace Emulator.Vmm;

/// <summary>Settings of a <see cref="DeviceManager"/>.</summary>
public sealed class DeviceManagerOptions
{
    /// <summary>How long a server gets between SIGTERM and SIGKILL.</summary>
    public TimeSpan StopGracePeriod { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Stop every server on SIGTERM, SIGINT and SIGHUP to the emulator (the signal then takes its
    /// default course), on normal process exit and on an unhandled exception. Turn off if the
    /// launcher handles these signals itself; it must then call <see cref="DeviceManager.StopAll"/>.
    /// </summary>
    public bool HandleTerminationSignals { get; init; } = true;

    /// <summary>
    /// Where one-line diagnostics go (a server died, a server had to be killed, a handler failed).
    /// Called from thread-pool and signal-handler threads; a sink that throws is bypassed for
    /// standard error. The default writes "\n" line ends to standard error, which stays correct with
    /// the stdio chardev's raw mode (it keeps output post-processing, OPOST, on); a caller that puts
    /// the terminal in a mode without OPOST must pass its own sink that writes "\r\n".
    /// </summary>
    public Action<string> Log { get; init; } = static message => StandardError.WriteLine($"emu: {message}");
}
