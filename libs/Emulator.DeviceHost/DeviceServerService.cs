using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Emulator.DeviceHost;

/// <summary>
/// Runs the <see cref="ConnectionLoop"/> on its own thread (handlers block on sockets, which is
/// no work for the thread pool) and stops the application when the loop ends. SIGTERM/SIGINT
/// reach us through the host's console lifetime as <see cref="StopAsync"/>.
/// </summary>
internal sealed class DeviceServerService : IHostedService, IDisposable
{
    private static readonly TimeSpan ParentCheckPeriod = TimeSpan.FromSeconds(1);

    private readonly IConnectionHandler _handler;
    private readonly DeviceEndpoint _endpoint;
    private readonly DeviceServerArguments _args;
    private readonly DeviceServerOutcome _outcome;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger<DeviceServerService> _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Timer? _parentCheck;

    public DeviceServerService(
        IConnectionHandler handler,
        DeviceEndpoint endpoint,
        DeviceServerArguments args,
        DeviceServerOutcome outcome,
        IHostApplicationLifetime lifetime,
        ILogger<DeviceServerService> logger)
    {
        _handler = handler;
        _endpoint = endpoint;
        _args = args;
        _outcome = outcome;
        _lifetime = lifetime;
        _logger = logger;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var thread = new Thread(Serve) { Name = "device-serve", IsBackground = true };
        thread.Start();
        if (_args.ParentPid is int parent)
        {
            _parentCheck = new Timer(_ => CheckParent(parent), null, ParentCheckPeriod, ParentCheckPeriod);
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync();
        try
        {
            await _finished.Task.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The serving thread is a background thread: the process exits without it.
            _outcome.Fail();
            _logger.LogError("the connection handler did not stop within the shutdown timeout");
        }
    }

    public void Dispose()
    {
        _parentCheck?.Dispose();
        _stop.Dispose();
    }

    private void Serve()
    {
        try
        {
            new ConnectionLoop(_handler, _logger).Run(_endpoint, _stop.Token);
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            _outcome.Fail();
            _logger.LogError("connection failed: {Message}", e.Message);
        }
        catch (Exception e)
        {
            // Not swallowed: a bug in a handler becomes a logged stack trace and exit status 1
            // instead of an unhandled-exception abort on this thread.
            _outcome.Fail();
            _logger.LogCritical(e, "device server failed");
        }
        finally
        {
            _finished.TrySetResult();
            _lifetime.StopApplication();
        }
    }

    private void CheckParent(int parent)
    {
        if (!ParentDeath.IsParentAlive(parent))
        {
            _logger.LogWarning("parent process {Pid} has exited; stopping", parent);
            _lifetime.StopApplication();
        }
    }
}
