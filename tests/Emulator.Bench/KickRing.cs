using System.Diagnostics;
using Emulator.Memory;
using Emulator.Posix;
using Emulator.VhostUser;
using Emulator.Virtio;

namespace Emulator.Bench;

/// <summary>
/// The driver's side of one split virtqueue in memfd-backed guest RAM shared with the device server:
/// one fixed descriptor chain is republished for each round trip, the kick eventfd is written, and the
/// front-end waits until the chain is in the used ring and the call eventfd has been read.
/// </summary>
public sealed class KickRing : IDisposable
{
    public const ushort QueueSize = 256;

    /// <summary>
    /// Spin budget of <see cref="FrontendWait.Adaptive"/>: about five times the back-to-back p99 when both
    /// ends have a CPU each, far below a sleeping server's wake-up. When the scheduler puts both threads on
    /// one CPU, every round trip costs about this budget (the server cannot run while we spin), so it is short.
    /// </summary>
    public static readonly TimeSpan SpinBudget = TimeSpan.FromMicroseconds(10);

    private const ulong RamSize = 0x100000;
    private const ulong RingBase = 0x1000;
    private const ushort Head = 0;
    private const int TimeoutMs = 5000;

    private readonly GuestMemory _memory;
    private readonly MockSplitQueue _queue;
    private readonly EventFd _kick = new();
    private readonly EventFd _call = new();
    private readonly long _spinTicks = (long)(SpinBudget.TotalSeconds * Stopwatch.Frequency);
    private readonly YieldingSpin _spin = new();
    private readonly uint _expectedLength;
    private ushort _used;

    /// <summary>Shares fresh guest RAM with the back-end and starts ring <paramref name="index"/> on it.</summary>
    public KickRing(VhostUserFrontend frontend, int index, ChainShape shape)
    {
        _memory = GuestMemory.Create((0, RamSize));
        _queue = new MockSplitQueue(_memory, RingBase, QueueSize);
        WriteChain(shape);
        _expectedLength = shape.WritableBytes;
        frontend.SetMemTable(_memory);
        frontend.ConfigureQueue(index, _memory, QueueSize, _queue.DescTable, _queue.AvailRing, _queue.UsedRing, _kick, _call);
    }

    /// <summary>
    /// Publishes the chain, kicks, waits for its completion; returns the Stopwatch ticks from just before
    /// publishing to the moment the call eventfd was read.
    /// </summary>
    public long RoundTrip(FrontendWait wait)
    {
        long start = Stopwatch.GetTimestamp();
        _queue.PublishAvail(Head);
        _kick.Signal();
        ushort target = (ushort)(_used + 1);
        if (wait == FrontendWait.Adaptive)
        {
            SpinThenWait(target, start + _spinTicks);
        }
        else
        {
            WaitForCall(target);
        }

        long end = Stopwatch.GetTimestamp();
        Reap();
        return end - start;
    }

    public void Dispose()
    {
        _kick.Dispose();
        _call.Dispose();
        _memory.Dispose();
    }

    private void WriteChain(ChainShape shape)
    {
        ulong readable = _queue.Allocate(shape.ReadableBytes);
        _memory.Write(readable, Enumerable.Range(0, (int)shape.ReadableBytes).Select(i => (byte)i).ToArray());
        if (shape.WritableBytes == 0)
        {
            _queue.WriteDescriptor(Head, readable, shape.ReadableBytes, 0, 0);
            return;
        }

        ulong writable = _queue.Allocate(shape.WritableBytes);
        _queue.WriteDescriptor(Head, readable, shape.ReadableBytes, DescriptorFlags.Next, 1);
        _queue.WriteDescriptor(1, writable, shape.WritableBytes, DescriptorFlags.Write, 0);
    }

    private void SpinThenWait(ushort target, long spinUntil)
    {
        while (_queue.UsedIndex != target)
        {
            if (Stopwatch.GetTimestamp() >= spinUntil || !_spin.MaySpin || !_spin.Yield())
            {
                WaitForCall(target);
                return;
            }
        }

        // The device signals the call right after publishing used.idx; it is (almost always) already there.
        if (!_call.Wait(TimeoutMs))
        {
            throw new TimeoutException($"used.idx reached {target} but no call arrived within {TimeoutMs} ms");
        }
    }

    private void WaitForCall(ushort target)
    {
        long deadline = Environment.TickCount64 + TimeoutMs;
        while (true)
        {
            long left = deadline - Environment.TickCount64;
            if (left <= 0 || !_call.Wait((int)left))
            {
                throw new TimeoutException($"no call for used.idx {target} within {TimeoutMs} ms (used.idx is {_queue.UsedIndex})");
            }

            // A call always follows the used.idx store it announces, so a call without it is a stale one.
            if (_queue.UsedIndex == target)
            {
                return;
            }
        }
    }

    private void Reap()
    {
        if (!_queue.TryGetUsed(out ushort id, out uint length) || id != Head || length != _expectedLength)
        {
            throw new InvalidOperationException($"device completed descriptor {id} with {length} bytes, expected {Head} with {_expectedLength}");
        }

        _used++;
    }
}
