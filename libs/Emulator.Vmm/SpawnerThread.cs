using System.Collections.Concurrent;

namespace Emulator.Vmm;

/// <summary>
/// The one thread every device server is forked from. Linux sends PR_SET_PDEATHSIG when the
/// *thread* that forked a child exits, not the process; .NET forks on the thread that calls
/// Process.Start, so a spawn from a thread-pool thread that later retires would kill its server.
/// This thread lives as long as the manager. Running spawns here also serializes them, which
/// keeps one spawn's inheritable socket end out of another spawn's child.
/// </summary>
internal sealed class SpawnerThread : IDisposable
{
    private readonly BlockingCollection<Action> _work = new();
    private readonly Thread _thread;

    public SpawnerThread()
    {
        _thread = new Thread(Loop) { Name = "device-spawner", IsBackground = true };
        _thread.Start();
    }

    /// <summary>Runs <paramref name="work"/> on the spawner thread and returns its result (or rethrows its exception).</summary>
    public T Invoke<T>(Func<T> work)
    {
        if (Thread.CurrentThread == _thread)
        {
            return work();
        }

        var result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _work.Add(() =>
        {
            try
            {
                result.SetResult(work());
            }
            catch (Exception e)
            {
                // Handed to the caller, who rethrows it.
                result.SetException(e);
            }
        });
        return result.Task.GetAwaiter().GetResult();
    }

    public void Dispose()
    {
        _work.CompleteAdding();
        if (Thread.CurrentThread != _thread)
        {
            _thread.Join();
        }

        _work.Dispose();
    }

    private void Loop()
    {
        foreach (Action work in _work.GetConsumingEnumerable())
        {
            work();
        }
    }
}
