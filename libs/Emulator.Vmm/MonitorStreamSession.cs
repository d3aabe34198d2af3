using System.Buffers;

namespace Emulator.Vmm;

/// <summary>Runs a <see cref="MonitorTerminal"/> over a pair of streams until end of input, <c>quit</c> or cancellation.</summary>
public static class MonitorStreamSession
{
    public static async Task RunAsync(MonitorTerminal terminal, Stream input, Stream output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(terminal);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        var pending = new ArrayBufferWriter<byte>();
        terminal.Open(pending);
        await FlushAsync(pending, output, cancellationToken);
        byte[] buffer = new byte[512];
        while (!terminal.IsClosed)
        {
            int n = await input.ReadAsync(buffer, cancellationToken);
            if (n == 0)
            {
                break;
            }

            terminal.Feed(buffer.AsSpan(0, n), pending);
            await FlushAsync(pending, output, cancellationToken);
        }
    }

    private static async Task FlushAsync(ArrayBufferWriter<byte> pending, Stream output, CancellationToken cancellationToken)
    {
        if (pending.WrittenCount > 0)
        {
            await output.WriteAsync(pending.WrittenMemory, cancellationToken);
            await output.FlushAsync(cancellationToken);
            pending.Clear();
        }
    }
}
