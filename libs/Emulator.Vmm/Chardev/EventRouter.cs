using Emulator.Chardev;

namespace Emulator.Vmm.Chardev;

/// <summary>
/// Passes one chardev's server events to its monitors and to the machine. Events can arrive while
/// the connection is still being set up (the server reports an open terminal at once); until the
/// monitors are attached they are kept, then replayed in order.
/// </summary>
internal sealed class EventRouter
{
    private readonly Action _exitRequested;
    private readonly Lock _lock = new();
    private readonly List<ChardevEvent> _early = [];
    private IReadOnlyList<MonitorPort>? _monitors;

    public EventRouter(Action exitRequested)
    {
        _exitRequested = exitRequested;
    }

    /// <summary>Called on the client's listener thread.</summary>
    public void Route(ChardevEvent e)
    {
        if (e.Kind == ChardevEventKind.ExitRequested)
        {
            _exitRequested();
            return;
        }

        IReadOnlyList<MonitorPort> monitors;
        lock (_lock)
        {
            if (_monitors is null)
            {
                _early.Add(e);
                return;
            }

            monitors = _monitors;
        }

        foreach (MonitorPort monitor in monitors)
        {
            monitor.Post(e);
        }
    }

    /// <summary>From now on events go to <paramref name="monitors"/>; the ones kept so far go first.</summary>
    public void Attach(IReadOnlyList<MonitorPort> monitors)
    {
        lock (_lock)
        {
            foreach (ChardevEvent e in _early)
            {
                foreach (MonitorPort monitor in monitors)
                {
                    monitor.Post(e);
                }
            }

            _early.Clear();
            _monitors = monitors;
        }
    }
}
