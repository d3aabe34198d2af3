using System.Collections.Concurrent;
using System.Text;
using Emulator.Memory;
using Emulator.Platform;
using Emulator.VhostUser;
using Emulator.Virtio;
using Emulator.Vmm;
using L = Emulator.Platform.VirtioPciLayout;

namespace Emulator.System.Tests.Virtio;

/// <summary>
/// Crash containment with in-process servers: the server's socket is shut under it, the device gets a new
/// server from its Reconnect function, replays the session and the guest's ring carries on.
/// </summary>
public sealed class VhostUserPciReconnectTests : IDisposable
{
    private const int RingVector = 2;

    private readonly GuestMemory _memory = GuestMemory.Create((0, 0x10_0000));
    private readonly PcPlatform _platform;
    private readonly ConcurrentQueue<EchoServerSession> _sessions = new();
    private readonly ConcurrentQueue<string> _log = new();
    private readonly ManualResetEventSlim _allowReconnect = new(true);
    private readonly VhostUserPciDevice _device;
    private readonly VirtioPciDriver _driver;
    private int _refusals;
    private int _attempts;
    private ulong _nextFeatures = 1UL << 32;

    public VhostUserPciReconnectTests()
    {
        _platform = new PcPlatform(new PcPlatformOptions { Memory = _memory, Layout = new RamLayout(0x10_0000) });
        _device = new VhostUserPciDevice(Connect(), _memory, _platform.ApicBus, _platform.Post, new VhostUserPciDeviceOptions
        {
            DeviceType = 3,
            ConfigSize = 8,
            Name = "echo",
            Log = _log.Enqueue,
            Reconnect = Reconnect,
            ReconnectDelayMs = 1,
            ReconnectMaxDelayMs = 20,
        });
        _driver = new VirtioPciDriver(_platform, _memory, _device, "echo");
    }

    private EchoServerSession Current => _sessions.Last();

    [Fact]
    public void A_killed_server_is_replaced_and_the_ring_continues_with_its_interrupts()
    {
        MockSplitQueue ring = _driver.Probe(queue: 1, vector: RingVector);
        Echo(ring, "before the crash", queue: 1);
        Assert.True(_device.HasInflightLog);
        Assert.Equal("ECHOCONF", Encoding.ASCII.GetString(BitConverter.GetBytes(_driver.Read(L.DeviceOffset, 8))));
        ulong acked = Current.Server.AckedFeatures;

        // The server dies; the first two replacements fail (respawn refused), then one is let through.
        _allowReconnect.Reset();
        Interlocked.Exchange(ref _refusals, 2);
        Current.Kill();
        WaitUntil(() => !_device.IsConnected, "the device did not notice the hang-up");

        // Meanwhile the guest keeps going: its notification waits in the kick eventfd, config reads are answered.
        byte[] during = Encoding.ASCII.GetBytes("queued while the server was down");
        MockChain pending = ring.AddChain([during], [64]);
        _driver.Notify(1);
        Assert.Equal("ECHOCONF", Encoding.ASCII.GetString(BitConverter.GetBytes(_driver.Read(L.DeviceOffset, 8))));
        Assert.Equal(0UL, _driver.Read(L.DeviceStatus, 1) & VirtioDeviceStatus.NeedsReset);
        _allowReconnect.Set();

        Assert.Equal(VirtioPciDriver.ConfigVector + RingVector, _driver.WaitForInterrupt());
        Assert.True(ring.TryGetUsed(out ushort id, out uint length));
        Assert.Equal(pending.Head, id);
        Assert.Equal(during, ring.ReadWritten(pending, length));

        Echo(ring, "after the crash", queue: 1);
        Assert.Equal(1, _device.Reconnects);
        Assert.Equal(3, Volatile.Read(ref _attempts));
        Assert.Equal(2, _sessions.Count);
        Assert.Equal(acked, Current.Server.AckedFeatures);
        Assert.False(_device.IsBroken);
        Assert.Contains(_log, l => l.Contains("reconnected", StringComparison.Ordinal));
    }

    [Fact]
    public void Repeated_crashes_are_each_contained()
    {
        MockSplitQueue ring = _driver.Probe(queue: 0, vector: RingVector);
        for (int i = 0; i < 3; i++)
        {
            Echo(ring, $"round {i}");
            Current.Kill();
            int expected = i + 1;
            WaitUntil(() => _device.Reconnects == expected && _device.IsConnected, "no reconnection");
        }

        Echo(ring, "last");
        Assert.Equal(4, _sessions.Count);
    }

    [Fact]
    public void A_server_lost_before_the_driver_starts_is_replaced_and_the_probe_works()
    {
        Current.Kill();
        WaitUntil(() => _device.Reconnects == 1 && _device.IsConnected, "no reconnection");

        MockSplitQueue ring = _driver.Probe(queue: 0, vector: RingVector);
        Echo(ring, "fresh server");
        Assert.Equal(2, _sessions.Count);
    }

    [Fact]
    public void A_guest_reset_while_the_server_is_down_starts_cleanly_on_the_new_one()
    {
        MockSplitQueue ring = _driver.Probe(queue: 0, vector: RingVector);
        Echo(ring, "first");
        _allowReconnect.Reset();
        Current.Kill();
        WaitUntil(() => !_device.IsConnected, "the device did not notice the hang-up");

        _driver.Write(L.DeviceStatus, 1, 0);
        Assert.False(_device.HasInflightLog);
        _allowReconnect.Set();
        WaitUntil(() => _device.IsConnected, "no reconnection");

        // Nothing was started on the new server: the reset dropped the session.
        Assert.Equal(0, Current.Server.Stops);
        MockSplitQueue again = _driver.Probe(queue: 0, vector: RingVector);
        Echo(again, "after reset");
    }

    [Fact]
    public void A_new_server_that_lacks_the_negotiated_features_ends_in_needs_reset()
    {
        MockSplitQueue ring = _driver.Probe(queue: 0, vector: RingVector);
        Echo(ring, "first");
        Volatile.Write(ref _nextFeatures, 0UL);
        Current.Kill();

        Assert.Equal(VirtioPciDriver.ConfigVector, _driver.WaitForInterrupt());
        Assert.True(_device.IsBroken);
        Assert.NotEqual(0UL, _driver.Read(L.DeviceStatus, 1) & VirtioDeviceStatus.NeedsReset);
        Assert.Contains(_log, l => l.Contains("cannot continue the session", StringComparison.Ordinal));
    }

    public void Dispose()
    {
        _allowReconnect.Set();
        _device.Dispose();
        foreach (EchoServerSession s in _sessions)
        {
            s.Dispose();
        }

        _allowReconnect.Dispose();
        _memory.Dispose();
    }

    private static void WaitUntil(Func<bool> condition, string what)
    {
        long deadline = Environment.TickCount64 + 10_000;
        while (!condition())
        {
            Assert.True(Environment.TickCount64 < deadline, what);
            Thread.Sleep(1);
        }
    }

    private void Echo(MockSplitQueue ring, string text, int queue = 0)
    {
        byte[] request = Encoding.ASCII.GetBytes(text);
        MockChain chain = ring.AddChain([request], [64]);
        _driver.Notify(queue);
        Assert.Equal(VirtioPciDriver.ConfigVector + RingVector, _driver.WaitForInterrupt());
        Assert.True(ring.TryGetUsed(out ushort id, out uint length));
        Assert.Equal(chain.Head, id);
        Assert.Equal(request, ring.ReadWritten(chain, length));
    }

    private VhostUserFrontend Connect()
    {
        var session = new EchoServerSession("echo-reconnect-server", Volatile.Read(ref _nextFeatures));
        _sessions.Enqueue(session);
        return new VhostUserFrontend(session.ClientEnd, 10_000);
    }

    private VhostUserFrontend Reconnect()
    {
        Interlocked.Increment(ref _attempts);
        // Runs on the device's reconnection thread: failures are its own exceptions, never assertions.
        if (!_allowReconnect.Wait(10_000))
        {
            throw new DeviceManagerException("test: reconnection was never allowed");
        }

        if (Interlocked.Decrement(ref _refusals) >= 0)
        {
            throw new DeviceManagerException("test: the server cannot be respawned yet");
        }

        return Connect();
    }
}
