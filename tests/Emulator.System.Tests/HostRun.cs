using Emulator.DeviceHost;
using Microsoft.Extensions.DependencyInjection;

namespace Emulator.System.Tests;

/// <summary>Runs <see cref="DeviceServerHost.RunAsync"/> in-process with captured output.</summary>
public sealed class HostRun
{
    /// <summary>A guard against a hung test, not a speed requirement.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private HostRun(Task<int> exit, StringWriter stdout, StringWriter stderr)
    {
        Exit = exit;
        Stdout = stdout;
        Stderr = stderr;
    }

    public Task<int> Exit { get; }

    public StringWriter Stdout { get; }

    public StringWriter Stderr { get; }

    public static HostRun Start(
        Action<DeviceServerArguments, IServiceCollection>? configure,
        IReadOnlyList<string> args,
        CancellationToken stop)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        configure ??= (_, services) => services.AddSingleton<IConnectionHandler, EchoHandler>();
        Task<int> exit = Task.Run(() => DeviceServerHost.RunAsync(EchoHandler.Definition, args, configure, stdout, stderr, stop));
        return new HostRun(exit, stdout, stderr);
    }

    public static async Task<HostRun> CompleteAsync(params string[] args)
    {
        HostRun run = Start(null, args, CancellationToken.None);
        await run.Exit.WaitAsync(Patience);
        return run;
    }

    public async Task<int> ExitCodeAsync() => await Exit.WaitAsync(Patience);
}
