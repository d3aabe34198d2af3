using System.Text;

namespace Emulator.Chardev.Tests;

/// <summary>Reads a backend on a thread of its own and lets a test wait for what arrived.</summary>
internal sealed class BackendReader : IDisposable
{
    private readonly IChardevBackend _backend;
    private readonly Thread _thread;
    private readonly List<byte> _data = [];
    private readonly object _gate = new();

    public BackendReader(IChardevBackend backend)
    {
        _backend = backend;
        _thread = new Thread(Loop) { IsBackground = true, Name = "test-reader" };
        _thread.Start();
    }

    public byte[] Snapshot()
    {
        lock (_gate)
        {
            return [.. _data];
        }
    }

    /// <summary>Waits until at least <paramref name="count"/> bytes arrived; fails the test after the timeout.</summary>
    public byte[] WaitFor(int count)
    {
        lock (_gate)
        {
            long deadline = Environment.TickCount64 + Timeouts.Milliseconds;
            while (_data.Count < count)
            {
                int left = (int)(deadline - Environment.TickCount64);
                Assert.True(left > 0, $"timed out waiting for {count} bytes, got {_data.Count}");
                Monitor.Wait(_gate, left);
            }

            return [.. _data];
        }
    }

    public string WaitForText(string text) => Encoding.ASCII.GetString(WaitFor(Encoding.ASCII.GetByteCount(text)));

    /// <summary>Stops the backend (for good) and the thread.</summary>
    public void Dispose()
    {
        _backend.Stop();
        _thread.Join();
    }

    private void Loop()
    {
        byte[] buffer = new byte[4096];
        int n;
        while ((n = _backend.Read(buffer)) > 0)
        {
            lock (_gate)
            {
                _data.AddRange(buffer.AsSpan(0, n));
                Monitor.PulseAll(_gate);
            }
        }
    }
}
