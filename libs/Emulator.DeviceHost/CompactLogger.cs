using Microsoft.Extensions.Logging;

namespace Emulator.DeviceHost;

/// <summary>A category's logger of <see cref="CompactLoggerProvider"/>; categories are not shown (the program is).</summary>
internal sealed class CompactLogger : ILogger
{
    private readonly CompactLoggerProvider _provider;

    public CompactLogger(CompactLoggerProvider provider)
    {
        _provider = provider;
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        if (!IsEnabled(logLevel))
        {
            return;
        }

        _provider.Write(CompactLogFormat.Format(DateTime.Now, logLevel, _provider.Prefix, formatter(state, exception), exception));
    }
}
