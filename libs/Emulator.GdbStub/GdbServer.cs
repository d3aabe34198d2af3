using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Emulator.GdbStub;

/// <summary>
/// Listens for gdb on TCP and serves one debugger at a time on its own thread (a second connection
/// waits until the first ends, as QEMU refuses a second one). The connection thread owns the
/// <see cref="GdbSession"/>; stops reported by the target on the vCPU thread are queued and handed to
/// the session by this thread, so the vCPU thread never touches the socket. A debugger that vanishes
/// (even mid-packet) is treated as a detach: breakpoints go and the guest runs on.
/// </summary>
public sealed class GdbServer : IDisposable
{
    private readonly IGdbTarget _target;
    private readonly Socket _listener;
    private readonly Thread _thread;
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>Binds at once (so a port in use fails here, with the caller), serves from <see cref="Start"/>.</summary>
    public GdbServer(IGdbTarget target, GdbEndpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(endpoint);
        _target = target;
        IPEndPoint bind = endpoint.Resolve();
        _listener = new Socket(bind.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        _listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Bind(bind);
        _listener.Listen(1);
        _thread = new Thread(Serve) { IsBackground = true, Name = "gdbstub" };
    }

    /// <summary>The bound address (the real port when the endpoint asked for port 0).</summary>
    public IPEndPoint LocalEndPoint => (IPEndPoint)(_listener.LocalEndPoint ?? throw new InvalidOperationException("not bound"));

    public void Start() => _thread.Start();

    public void Dispose()
    {
        _stopping.Cancel();
        _listener.Dispose();
        if (_thread.IsAlive)
        {
            _thread.Join(TimeSpan.FromSeconds(5));
        }

        _stopping.Dispose();
    }

    private void Serve()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = _listener.Accept();
            }
            catch (SocketException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }

            using (connection)
            {
                connection.NoDelay = true;

                // A debugger that stops reading must not wedge this thread: the send fails and counts as a disconnect.
                connection.SendTimeout = 10_000;
                ServeOne(connection);
            }
        }
    }

    private void ServeOne(Socket connection)
    {
        var output = new ArrayBufferWriter<byte>();
        var session = new GdbSession(_target, output);
        var stops = new ConcurrentQueue<GdbStop>();

        // Not disposed: a vCPU thread that fetched the listener just before it was cleared may still
        // release it, and a SemaphoreSlim without a wait handle holds nothing that needs disposing.
        var stopSignal = new SemaphoreSlim(0);
        _target.SetStopListener(reason =>
        {
            stops.Enqueue(reason);
            stopSignal.Release();
        });
        byte[] buffer = new byte[4096];
        try
        {
            session.Start();
            Task<int> receive = connection.ReceiveAsync(buffer, SocketFlags.None, _stopping.Token).AsTask();
            Task stopReady = stopSignal.WaitAsync(_stopping.Token);
            while (!session.Finished)
            {
                Task.WaitAny(receive, stopReady);

                // Stops first: a stop queued before a Ctrl-C was answered belongs to the old run.
                if (stopReady.IsCompleted)
                {
                    stopReady.GetAwaiter().GetResult();
                    while (stops.TryDequeue(out GdbStop reason))
                    {
                        session.OnStop(reason);
                    }

                    stopReady = stopSignal.WaitAsync(_stopping.Token);
                }

                if (receive.IsCompleted)
                {
                    int count = receive.GetAwaiter().GetResult();
                    if (count == 0)
                    {
                        break;
                    }

                    session.Receive(buffer.AsSpan(0, count));
                    receive = connection.ReceiveAsync(buffer, SocketFlags.None, _stopping.Token).AsTask();
                }

                Flush(connection, output);
            }

            Flush(connection, output);
        }
        catch (SocketException)
        {
            // The debugger went away; the detach below lets the guest run on.
        }
        catch (OperationCanceledException)
        {
            // The server is shutting down.
        }
        finally
        {
            _target.SetStopListener(null);
            session.Disconnect();
        }
    }

    private static void Flush(Socket connection, ArrayBufferWriter<byte> output)
    {
        ReadOnlySpan<byte> pending = output.WrittenSpan;
        while (!pending.IsEmpty)
        {
            pending = pending[connection.Send(pending)..];
        }

        output.ResetWrittenCount();
    }
}
