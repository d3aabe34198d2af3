using System.Text;
using Emulator.Posix;
using Microsoft.Extensions.Logging;

namespace Emulator.DeviceHost;

/// <summary>
/// Logging for device servers in the <see cref="CompactLogFormat"/>, written synchronously to a stream
/// (standard error: <see cref="DescriptorStream.StandardError"/>), one write per entry so lines of
/// several processes sharing a terminal do not tear. It never touches <see cref="Console"/>: .NET's
/// console, the first time it is used with a terminal, sends the terminal's keypad-transmit sequence
/// (<c>ESC [?1h ESC =</c>) into the user's terminal, which is the emulator's screen. Which levels
/// reach it is the logging filter's business (Information and up by default). Thread-safe.
/// </summary>
public sealed class CompactLoggerProvider : ILoggerProvider
{
    private readonly Stream _output;
    private readonly Lock _lock = new();
    private bool _disposed;

    /// <param name="output">Where entries go; not owned (the caller disposes it after this provider).</param>
    /// <param name="programName">The name on every line, with our pid.</param>
    public CompactLoggerProvider(Stream output, string programName)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentException.ThrowIfNullOrEmpty(programName);
        _output = output;
        Prefix = CompactLogFormat.Prefix(programName, ProcessControl.CurrentId);
    }

    /// <summary>The speaker shown on every line: <c>program[pid]</c>.</summary>
    public string Prefix { get; }

    public ILogger CreateLogger(string categoryName) => new CompactLogger(this);

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
        }
    }

    /// <summary>Writes one formatted entry. Entries after Dispose (a late thread) are dropped.</summary>
    internal void Write(string entry)
    {
        if (entry.Length == 0)
        {
            return;
        }

        byte[] bytes = Encoding.UTF8.GetBytes(entry);
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            try
            {
                _output.Write(bytes);
                _output.Flush();
            }
            catch (IOException)
            {
                // Standard error is gone (closed pipe, hung-up terminal): there is nowhere left to log to,
                // and logging must never take the server down.
            }
        }
    }
}
