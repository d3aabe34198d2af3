using Emulator.Memory;
using Emulator.Posix;

namespace Emulator.VhostUser.Tests;

/// <summary>
/// Real descriptors of every kind the fuzzer attaches to messages. Sending an fd passes a duplicate, so
/// the pool lives for the whole run while each back-end session closes what it received.
/// </summary>
internal sealed class FuzzFdPool : IDisposable
{
    public const ulong SmallRegionGuest = 0;
    public const ulong SmallRegionSize = 0x10000;
    public const ulong LargeRegionGuest = 0x100000;
    public const ulong LargeRegionSize = 0x100000;

    private readonly List<IDisposable> _owned = [];

    public FuzzFdPool()
    {
        Memory = GuestMemory.Create((SmallRegionGuest, SmallRegionSize), (LargeRegionGuest, LargeRegionSize));
        for (int i = 0; i < 4; i++)
        {
            EventFds.Add(Own(new EventFd()).Handle.Number);
        }

        Inflight = Own(MemFd.Create("fuzz-inflight", 0x10000));
        EmptyMemFd = Own(MemFd.Create("fuzz-empty", 0));
        (SafeFd read, SafeFd write) = Fd.Pipe();
        Pipe = Own(read).Number;
        Own(write);
        (SafeFd a, SafeFd b) = UnixSocket.CreatePair();
        Socket = Own(a).Number;
        Own(b);
    }

    /// <summary>Two regions whose memfds and user addresses the structured messages describe.</summary>
    public GuestMemory Memory { get; }

    public List<int> EventFds { get; } = [];

    public SafeFd Inflight { get; }

    public SafeFd EmptyMemFd { get; }

    public int Pipe { get; }

    public int Socket { get; }

    /// <summary>Any descriptor at all, for fds where none belong or the wrong kind does.</summary>
    public int Any(Random rng) => rng.Next(7) switch
    {
        0 => Memory.Regions[0].Fd.Number,
        1 => Memory.Regions[1].Fd.Number,
        2 => Inflight.Number,
        3 => EmptyMemFd.Number,
        4 => Pipe,
        5 => Socket,
        _ => EventFds[rng.Next(EventFds.Count)],
    };

    public void Dispose()
    {
        _owned.ForEach(d => d.Dispose());
        Memory.Dispose();
    }

    private T Own<T>(T d)
        where T : IDisposable
    {
        _owned.Add(d);
        return d;
    }
}
