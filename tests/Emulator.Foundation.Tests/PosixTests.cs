using Emulator.Posix;

namespace Emulator.Foundation.Tests;

public sealed class PosixTests
{
    [Fact]
    public void Memfd_has_the_requested_size_and_seals_stop_it_growing()
    {
        using SafeFd fd = MemFd.Create("test", 8192);
        Assert.Equal(8192, Fd.GetSize(fd));
        MemFd.AddSeals(fd, MemFdSeals.Grow | MemFdSeals.Shrink);
        Assert.Equal(MemFdSeals.Grow | MemFdSeals.Shrink, MemFd.GetSeals(fd) & (MemFdSeals.Grow | MemFdSeals.Shrink));
        PosixException e = Assert.Throws<PosixException>(() => Fd.Truncate(fd, 16384));
        Assert.Equal("ftruncate", e.Call);
        Assert.Equal(Errno.EPERM, e.Errno);
    }

    [Fact]
    public void Two_mappings_of_one_memfd_see_each_others_writes()
    {
        using SafeFd fd = MemFd.Create("shared", 4096);
        using MemoryMapping a = MemoryMapping.MapShared(fd, 0, 4096);
        using MemoryMapping b = MemoryMapping.MapShared(fd, 0, 4096);
        a.GetSpan(100, 4).Fill(0xAB);
        Assert.Equal([0xAB, 0xAB, 0xAB, 0xAB], b.GetSpan(100, 4).ToArray());
    }

    [Fact]
    public void Mapping_spans_are_bounds_checked()
    {
        using MemoryMapping m = MemoryMapping.MapAnonymous(4096);
        Assert.Throws<ArgumentOutOfRangeException>(() => m.GetSpan(4090, 7));
        Assert.Throws<ArgumentOutOfRangeException>(() => m.GetSpan(ulong.MaxValue, 2));
        Assert.Equal(6, m.GetSpan(4090, 6).Length);
    }

    [Fact]
    public void Eventfd_counts_signals_and_times_out_when_quiet()
    {
        using EventFd e = new();
        Assert.False(e.TryConsume(out _));
        e.Signal();
        e.Signal(2);
        Assert.True(e.TryConsume(out ulong v));
        Assert.Equal(3UL, v);
        Assert.False(e.Wait(10));
        e.Signal();
        Assert.True(e.Wait(1000));
    }

    [Fact]
    public void Epoll_reports_which_descriptor_woke_it()
    {
        using Epoll ep = new();
        using EventFd a = new();
        using EventFd b = new();
        ep.Add(a.Handle, EpollEvents.In, 1);
        ep.Add(b.Handle, EpollEvents.In, 2);
        Span<EpollEvent> events = stackalloc EpollEvent[4];
        Assert.Equal(0, ep.Wait(events, 0));
        b.Signal();
        Assert.Equal(1, ep.Wait(events, 1000));
        Assert.Equal(2UL, events[0].Data);
    }

    [Fact]
    public void A_memfd_passed_over_a_socketpair_maps_the_same_memory()
    {
        var (a, b) = UnixSocket.CreatePair();
        using (a)
        using (b)
        using (SafeFd memfd = MemFd.Create("passed", 4096))
        using (MemoryMapping mine = MemoryMapping.MapShared(memfd, 0, 4096))
        {
            UnixSocket.SendAll(a, "hello"u8, [memfd.Number]);
            List<SafeFd> fds = [];
            byte[] buffer = new byte[16];
            int n = UnixSocket.Receive(b, buffer, fds, out bool truncated);
            Assert.Equal(5, n);
            Assert.False(truncated);
            SafeFd received = Assert.Single(fds);
            using (received)
            using (MemoryMapping theirs = MemoryMapping.MapShared(received, 0, 4096))
            {
                theirs.GetSpan(0, 1)[0] = 42;
                Assert.Equal(42, mine.GetSpan(0, 1)[0]);
            }
        }
    }

    [Fact]
    public void Receive_returns_zero_when_the_peer_hangs_up()
    {
        var (a, b) = UnixSocket.CreatePair();
        a.Dispose();
        using (b)
        {
            Assert.Equal(0, UnixSocket.Receive(b, new byte[4], [], out _));
        }
    }

    [Fact]
    public void Listen_accept_connect_and_a_stale_socket_file_is_replaced()
    {
        string path = Path.Combine(Path.GetTempPath(), $"emu-test-{Guid.NewGuid():N}.sock");
        try
        {
            using (SafeFd first = UnixSocket.Listen(path))
            {
            }

            // The first listener is closed, its file remains: a new server must take the path over.
            Assert.True(File.Exists(path));
            using SafeFd listener = UnixSocket.Listen(path);
            using SafeFd client = UnixSocket.Connect(path);
            using SafeFd? server = UnixSocket.Accept(listener);
            Assert.NotNull(server);
            UnixSocket.SendAll(client, "x"u8);
            byte[] one = new byte[1];
            Assert.True(UnixSocket.ReceiveExactly(server, one, [], out _));
            Assert.Equal((byte)'x', one[0]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Connect_to_a_missing_socket_reports_the_call_and_errno()
    {
        PosixException e = Assert.Throws<PosixException>(() => UnixSocket.Connect("/nonexistent/emu.sock"));
        Assert.Equal(Errno.ENOENT, e.Errno);
        Assert.Contains("connect(/nonexistent/emu.sock)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Too_long_socket_paths_are_refused_before_any_call()
    {
        Assert.Throws<ArgumentException>(() => UnixSocket.Connect("/" + new string('a', 200)));
    }

    [Fact]
    public void Pipe_round_trip_and_nonblocking_read_reports_would_block()
    {
        var (r, w) = Fd.Pipe(nonBlocking: true);
        using (r)
        using (w)
        {
            Assert.Equal(-1, Fd.Read(r, new byte[4]));
            Fd.WriteAll(w, "abc"u8);
            byte[] buf = new byte[4];
            Assert.Equal(3, Fd.Read(r, buf));
            w.Dispose();
            Assert.Equal(0, Fd.Read(r, buf));
        }
    }

    [Fact]
    public void Parent_death_signal_round_trips_through_prctl()
    {
        int before = ProcessControl.GetParentDeathSignal();
        try
        {
            ProcessControl.SetParentDeathSignal(Signals.SIGTERM);
            Assert.Equal(Signals.SIGTERM, ProcessControl.GetParentDeathSignal());
        }
        finally
        {
            ProcessControl.SetParentDeathSignal(before);
        }
    }

    [Fact]
    public void Close_on_exec_can_be_cleared_for_a_child_and_duplicates_are_independent()
    {
        using EventFd e = new();
        Fd.SetCloseOnExec(e.Handle, false);
        using SafeFd dup = Fd.Duplicate(e.Handle);
        Assert.NotEqual(e.Handle.Number, dup.Number);
        Assert.True(Fd.IsValid(dup.Number));
        int number = dup.Number;
        dup.Dispose();
        Assert.False(Fd.IsValid(number));
    }
}
