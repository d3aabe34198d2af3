using System.Collections.Concurrent;
using Emulator.Vmm;

namespace Emulator.System.Tests;

/// <summary>A device manager with short grace, captured log lines and awaitable exit reports.</summary>
public sealed class ManagerFixture : IDisposable
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<DeviceServerExitedEventArgs>> _exits = new();

    public ManagerFixture(bool handleSignals = false)
    {
        Manager = new DeviceManager(new DeviceManagerOptions
        {
            StopGracePeriod = TimeSpan.FromMilliseconds(500),
            HandleTerminationSignals = handleSignals,
            Log = Log.Enqueue,
        });
        Manager.ServerExited += (_, e) => ExitOf(e.Id).TrySetResult(e);
    }

    public DeviceManager Manager { get; }

    public ConcurrentQueue<string> Log { get; } = new();

    /// <summary>A shell-script child. bash, not sh: dash redirects only descriptors 0-9, and ours are higher.</summary>
    public static DeviceServerCommand Shell(string script) => new("/bin/bash", ["-c", script]);

    public async Task<DeviceServerExitedEventArgs> ExitedAsync(string id) => await ExitOf(id).Task.WaitAsync(HostRun.Patience);

    public void Dispose() => Manager.Dispose();

    private TaskCompletionSource<DeviceServerExitedEventArgs> ExitOf(string id) =>
        _exits.GetOrAdd(id, _ => new TaskCompletionSource<DeviceServerExitedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously));
}
