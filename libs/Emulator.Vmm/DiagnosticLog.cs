namespace Emulator.Vmm;

/// <summary>
/// The manager's one-line diagnostics sink (<see cref="DeviceManagerOptions.Log"/>), made safe for
/// the thread-pool and signal-handler threads it is used on: a sink that throws must not end the
/// emulator, so its failure and the message go to standard error instead.
/// </summary>
internal sealed class DiagnosticLog
{
    private readonly Action<string> _sink;

    public DiagnosticLog(Action<string> sink)
    {
        _sink = sink;
    }

    public void Write(string message)
    {
        try
        {
            _sink(message);
        }
        catch (Exception e)
        {
            StandardError.WriteLine($"emu: {message} (the log failed: {e.Message})");
        }
    }

    /// <summary>Runs <paramref name="action"/> at a thread's entry, logging what it throws instead of crashing.</summary>
    public void Guard(string what, Action action)
    {
        try
        {
            action();
        }
        catch (Exception e)
        {
            Write($"{what} failed: {e}");
        }
    }
}
