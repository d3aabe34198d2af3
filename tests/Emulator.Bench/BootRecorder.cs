namespace Emulator.Bench;

/// <summary>
/// Folds console events, each with the host wall and CPU seconds at which it arrived, into a
/// <see cref="BootResult"/>. The first well-formed value per item wins; a repeat (a garbled console
/// echoing itself) does not overwrite it.
/// </summary>
public sealed class BootRecorder
{
    private readonly Dictionary<string, double> _guest = [];
    private readonly Dictionary<string, double> _cpu = [];
    private readonly Dictionary<string, double> _beginCpu = [];
    private readonly Dictionary<string, string> _outputs = [];
    private readonly List<string> _failures = [];
    private double _readyWall = double.NaN;
    private double _readyCpu = double.NaN;
    private double _totalWall = double.NaN;
    private double _totalCpu = double.NaN;
    private string? _exitStatus;

    public bool Exited => _exitStatus is not null;

    public void Observe(ConsoleEvent e, double wallSeconds, double cpuSeconds)
    {
        switch (e.Kind)
        {
            case ConsoleEventKind.Ready when double.IsNaN(_readyWall):
                (_readyWall, _readyCpu) = (wallSeconds, cpuSeconds);
                break;
            case ConsoleEventKind.Begin:
                _beginCpu.TryAdd(e.Name, cpuSeconds);
                break;
            case ConsoleEventKind.Time when _guest.TryAdd(e.Name, e.Seconds):
                _cpu[e.Name] = _beginCpu.TryGetValue(e.Name, out double begin) ? cpuSeconds - begin : double.NaN;
                break;
            case ConsoleEventKind.Fail:
                _failures.Add($"{e.Name} exited {e.Text}");
                break;
            case ConsoleEventKind.Output:
                _outputs.TryAdd(e.Name, e.Text);
                break;
            case ConsoleEventKind.Exit when _exitStatus is null:
                (_exitStatus, _totalWall, _totalCpu) = (e.Text, wallSeconds, cpuSeconds);
                break;
            default:
                break;
        }
    }

    /// <summary>The result, given how the emulator ended (<paramref name="exitCode"/> null: killed at the time limit).</summary>
    public BootResult Finish(int? exitCode, string emulatorErrors)
    {
        var problems = new List<string>();
        if (exitCode is null)
        {
            problems.Add("killed at the time limit");
        }
        else if (exitCode != 0)
        {
            problems.Add($"emulator exited {exitCode}" + (emulatorErrors.Length > 0 ? $": {emulatorErrors}" : ""));
        }

        if (double.IsNaN(_readyWall))
        {
            problems.Add("no ready marker");
        }
        else if (_exitStatus is null)
        {
            problems.Add("no exit marker");
        }
        else if (_exitStatus != "0")
        {
            problems.Add($"guest script exited {_exitStatus}");
        }

        problems.AddRange(_failures);
        return new BootResult
        {
            ReadyWall = _readyWall,
            ReadyCpu = _readyCpu,
            TotalWall = _totalWall,
            TotalCpu = _totalCpu,
            GuestSeconds = new Dictionary<string, double>(_guest),
            HostCpu = new Dictionary<string, double>(_cpu),
            Outputs = new Dictionary<string, string>(_outputs),
            Problem = problems.Count == 0 ? null : string.Join("; ", problems),
        };
    }
}
