using Emulator.Posix;

namespace Emulator.Foundation.Tests;

/// <summary>Telling descriptors apart, and adopting only real eventfds.</summary>
public sealed class FdInfoTests
{
    [Fact]
    public void Each_kind_of_descriptor_is_recognised()
    {
        using var eventFd = new EventFd();
        using var epoll = new Epoll();
        using SafeFd memfd = MemFd.Create("kind", 16);
        (SafeFd a, SafeFd b) = UnixSocket.CreatePair();
        (SafeFd r, SafeFd w) = Fd.Pipe();
        using var dir = new TempDir();
        string path = dir.File("regular");
        File.WriteAllText(path, "x");
        using SafeFd regular = PosixFile.Open(path, OpenFlags.ReadOnly | OpenFlags.CloseOnExec);
        using SafeFd directory = PosixFile.Open(Path.GetTempPath(), OpenFlags.ReadOnly | OpenFlags.CloseOnExec);
        using SafeFd devNull = PosixFile.Open("/dev/null", OpenFlags.ReadOnly | OpenFlags.CloseOnExec);
        using (a)
        using (b)
        using (r)
        using (w)
        {
            Assert.Equal(DescriptorKind.EventFd, FdInfo.GetKind(eventFd.Handle));
            Assert.Equal(DescriptorKind.Epoll, FdInfo.GetKind(epoll.Handle));
            Assert.Equal(DescriptorKind.MemFd, FdInfo.GetKind(memfd));
            Assert.Equal(DescriptorKind.Socket, FdInfo.GetKind(a));
            Assert.Equal(DescriptorKind.Pipe, FdInfo.GetKind(r));
            Assert.Equal(DescriptorKind.RegularFile, FdInfo.GetKind(regular));
            Assert.Equal(DescriptorKind.Directory, FdInfo.GetKind(directory));
            Assert.Equal(DescriptorKind.CharacterDevice, FdInfo.GetKind(devNull));
            Assert.True(FdInfo.IsEventFd(eventFd.Handle));
            Assert.False(FdInfo.IsEventFd(memfd));
            Assert.True(FdInfo.IsSocket(b));
            Assert.True(FdInfo.IsMemFd(memfd));
        }
    }

    [Fact]
    public void A_pseudo_terminal_is_a_terminal()
    {
        using PseudoTerminal pty = PseudoTerminal.Open();
        using SafeFd slave = pty.OpenSlave();
        Assert.Equal(DescriptorKind.Terminal, FdInfo.GetKind(slave));
    }

    [Fact]
    public void Adopting_a_descriptor_that_is_not_an_eventfd_throws_and_leaves_it_to_the_caller()
    {
        using SafeFd memfd = MemFd.Create("not-an-eventfd", 64);
        ArgumentException e = Assert.Throws<ArgumentException>(() => new EventFd(memfd));
        Assert.Contains("not an eventfd", e.Message, StringComparison.Ordinal);
        Assert.False(memfd.IsClosed);

        (SafeFd a, SafeFd b) = UnixSocket.CreatePair();
        using (a)
        using (b)
        {
            Assert.Throws<ArgumentException>(() => new EventFd(a));
        }
    }

    [Fact]
    public void Adopting_an_eventfd_shares_its_counter()
    {
        using var original = new EventFd();
        using var adopted = new EventFd(Fd.Duplicate(original.Handle));
        original.Signal(3);
        Assert.True(adopted.TryConsume(out ulong value));
        Assert.Equal(3UL, value);
        Assert.False(adopted.TryConsume(out _));
    }

    [Fact]
    public void A_closed_handle_is_refused_before_the_call_instead_of_reaching_a_reused_number()
    {
        var e = new EventFd();
        e.Dispose();
        Assert.Throws<ObjectDisposedException>(() => e.Signal());
        Assert.Throws<ObjectDisposedException>(() => Poller.WaitOne(e.Handle, PollEvents.In, 0));
    }
}
