using Emulator.Platform;
using Emulator.Posix;
using Emulator.Vmm.Chardev;

namespace Emulator.Vmm.Machine;

/// <summary>
/// Carries one COM port's bytes between its <see cref="Uart16550"/> and the chardev server's stream:
/// <see cref="Transmit"/> (the UART's THR, on the vCPU thread) writes into the output ring, and a
/// reader thread offers what the backend received to the UART, waiting while its FIFO is full
/// (the bytes stay in the ring, the backend's own flow control takes over). Until
/// <see cref="Attach"/> the port has no stream and output is discarded, as with <c>-serial none</c>.
/// </summary>
public sealed class SerialPortBridge : IDisposable
{
    /// <summary>How long a full output ring may hold up the vCPU before a byte is dropped (a stalled backend must not hang the guest).</summary>
    private const int TransmitStallMs = 1000;

    private readonly string _name;
    private readonly Action<string> _log;
    private readonly EventFd _stop = new();
    private readonly CancellationTokenSource _cancel = new();
    private Uart16550? _uart;
    private ChardevStream? _stream;
    private Thread? _reader;
    private bool _reportedStall;
    private bool _disposed;

    public SerialPortBridge(string name, Action<string> log)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(log);
        _name = name;
        _log = log;
    }

    /// <summary>vCPU thread: one byte the guest sent.</summary>
    public void Transmit(byte value)
    {
        if (Volatile.Read(ref _stream) is not { } stream)
        {
            return;
        }

        ReadOnlySpan<byte> one = [value];
        while (stream.Output.TryWrite(one) == 0)
        {
            if (!stream.Output.WaitForSpace(TransmitStallMs, _stop.Handle))
            {
                if (!_reportedStall)
                {
                    _reportedStall = true;
                    _log($"{_name}: the chardev backend takes no output; dropping bytes");
                }

                return;
            }
        }

        _reportedStall = false;
    }

    /// <summary>Connects the UART to its stream and starts passing input; once.</summary>
    public void Attach(Uart16550 uart, ChardevStream stream)
    {
        ArgumentNullException.ThrowIfNull(uart);
        ArgumentNullException.ThrowIfNull(stream);
        _uart = uart;
        Volatile.Write(ref _stream, stream);
        _reader = new Thread(PassInput) { IsBackground = true, Name = $"{_name}-input" };
        _reader.Start();
    }

    /// <summary>Stops the reader; the vCPU must no longer transmit. Idempotent.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _stop.Signal();
        _cancel.Cancel();
        _reader?.Join();
        _cancel.Dispose();
        _stop.Dispose();
    }

    private void PassInput()
    {
        if (_uart is not { } uart || _stream is not { } stream)
        {
            return;
        }

        var buffer = new byte[256];
        while (true)
        {
            int count = stream.Input.Read(buffer);
            if (count == 0)
            {
                if (!stream.Input.WaitForData(-1, _stop.Handle))
                {
                    return;
                }

                continue;
            }

            int offset = 0;
            while (offset < count)
            {
                offset += uart.Offer(buffer.AsSpan(offset, count - offset));
                if (offset < count && !WaitForRoom(uart))
                {
                    return;
                }
            }
        }
    }

    private bool WaitForRoom(Uart16550 uart)
    {
        try
        {
            uart.WhenSpaceAvailable(_cancel.Token).GetAwaiter().GetResult();
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
