using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Emulator.DeviceHost;

/// <summary>
/// The whole life of a device-server process: parse the shared command line, --help and
/// --print-capabilities, parent death, open the endpoint, then host the server's
/// <see cref="IConnectionHandler"/> until the front-end (--fd) or a signal ends it.
/// A server's Program.cs is one call:
/// <code>
/// return DeviceServerHost.Run(definition, args, (parsed, services) =>
///     services.AddSingleton&lt;IConnectionHandler, MyHandler&gt;());
/// </code>
/// </summary>
public static class DeviceServerHost
{
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Runs the server; returns the process exit status (<see cref="DeviceServerExitCode"/>). Standard
    /// output and error are written with write(2), never through <see cref="Console"/> (see
    /// <see cref="CompactLoggerProvider"/>): a server's terminal is the user's.
    /// </summary>
    public static int Run(
        DeviceServerDefinition definition,
        IReadOnlyList<string> args,
        Action<DeviceServerArguments, IServiceCollection> configureServices)
    {
        using var stdout = new StreamWriter(DescriptorStream.StandardOutput()) { AutoFlush = true };
        using var stderr = new StreamWriter(DescriptorStream.StandardError()) { AutoFlush = true };
        return RunAsync(definition, args, configureServices, stdout, stderr, CancellationToken.None).GetAwaiter().GetResult();
    }

    /// <summary>
    /// As <see cref="Run"/>, with the text streams for --help, --print-capabilities and
    /// command-line errors, and a token that stops the server like SIGTERM does. The log goes to
    /// descriptor 2 (<see cref="CompactLoggerProvider"/>).
    /// <paramref name="configureServices"/> must register an <see cref="IConnectionHandler"/>; it
    /// may throw <see cref="DeviceServerUsageException"/> to reject a server option's value.
    /// </summary>
    public static async Task<int> RunAsync(
        DeviceServerDefinition definition,
        IReadOnlyList<string> args,
        Action<DeviceServerArguments, IServiceCollection> configureServices,
        TextWriter stdout,
        TextWriter stderr,
        CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(configureServices);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        string program = definition.ProgramName;

        DeviceServerArguments parsed;
        try
        {
            parsed = DeviceServerArgumentParser.Parse(definition, args);
        }
        catch (DeviceServerUsageException e)
        {
            return UsageError(stderr, program, e.Message);
        }

        if (parsed.Help)
        {
            await stdout.WriteAsync(DeviceServerUsage.Format(definition));
            await stdout.FlushAsync(CancellationToken.None);
            return DeviceServerExitCode.Success;
        }

        if (parsed.PrintCapabilities)
        {
            await stdout.WriteAsync(CapabilitiesJson.Format(definition) + "\n");
            await stdout.FlushAsync(CancellationToken.None);
            return DeviceServerExitCode.Success;
        }

        if (parsed.ParentPid is int parent && !ParentDeath.Arm(parent))
        {
            return Failure(stderr, program, $"parent process {parent} has already exited");
        }

        // Declared before the host, so disposed after it (and after the logger provider the host disposes).
        using DescriptorStream log = DescriptorStream.StandardError();
        HostApplicationBuilder builder = CreateBuilder(program, log);
        try
        {
            configureServices(parsed, builder.Services);
        }
        catch (DeviceServerUsageException e)
        {
            return UsageError(stderr, program, e.Message);
        }

        if (!builder.Services.Any(d => d.ServiceType == typeof(IConnectionHandler)))
        {
            throw new InvalidOperationException($"{program}: configureServices must register an {nameof(IConnectionHandler)}");
        }

        DeviceEndpoint endpoint;
        try
        {
            endpoint = DeviceEndpoint.Open(parsed);
        }
        catch (DeviceServerStartException e)
        {
            return Failure(stderr, program, e.Message);
        }

        using (endpoint)
        {
            var outcome = new DeviceServerOutcome();
            builder.Services.AddSingleton(endpoint);
            builder.Services.AddSingleton(parsed);
            builder.Services.AddSingleton(outcome);
            builder.Services.AddHostedService<DeviceServerService>();
            using IHost host = builder.Build();
            await host.RunAsync(stop);
            return outcome.ExitCode;
        }
    }

    private static HostApplicationBuilder CreateBuilder(string program, Stream log)
    {
        // No defaults: configuration files, environment-variable config and the command line
        // belong to nobody here, and the default console logger writes to stdout (through System.Console).
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(
            new HostApplicationBuilderSettings { DisableDefaults = true, ApplicationName = program });
        builder.Logging.ClearProviders();
        builder.Logging.Services.AddSingleton<ILoggerProvider>(_ => new CompactLoggerProvider(log, program));
        builder.Services.Configure<ConsoleLifetimeOptions>(options => options.SuppressStatusMessages = true);
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = ShutdownTimeout);
        return builder;
    }

    private static int UsageError(TextWriter stderr, string program, string message)
    {
        stderr.WriteLine($"{program}: {message}");
        stderr.WriteLine($"Try '{program} --help' for more information.");
        stderr.Flush();
        return DeviceServerExitCode.Usage;
    }

    private static int Failure(TextWriter stderr, string program, string message)
    {
        stderr.WriteLine($"{program}: {message}");
        stderr.Flush();
        return DeviceServerExitCode.Failure;
    }
}
