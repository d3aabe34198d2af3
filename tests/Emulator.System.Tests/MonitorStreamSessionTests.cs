using System.IO.Pipes;
using System.Text;
using Emulator.Vmm;

namespace Emulator.System.Tests;

public sealed class MonitorStreamSessionTests
{
    [Fact]
    public async Task RunsUntilEndOfInput()
    {
        var vm = new FakeVm();
        using var input = new MemoryStream("stop\ninfo status\n"u8.ToArray());
        using var output = new MemoryStream();
        var terminal = new MonitorTerminal(new HumanMonitor(vm), new MonitorOptions { Echo = false, NewLine = "\n" });
        await MonitorStreamSession.RunAsync(terminal, input, output, CancellationToken.None).WaitAsync(HostRun.Patience);
        Assert.Equal(
            "emu 0.1.0 monitor - type 'help' for more information\n(qemu) (qemu) VM status: paused\n(qemu) ",
            Encoding.UTF8.GetString(output.ToArray()));
        Assert.False(terminal.IsClosed);
    }

    [Fact]
    public async Task QuitEndsTheSessionWithInputStillOpen()
    {
        var vm = new FakeVm();
        using var server = new AnonymousPipeServerStream(PipeDirection.Out);
        using var client = new AnonymousPipeClientStream(PipeDirection.In, server.ClientSafePipeHandle);
        using var output = new MemoryStream();
        var terminal = new MonitorTerminal(new HumanMonitor(vm));
        Task session = MonitorStreamSession.RunAsync(terminal, client, output, CancellationToken.None);
        await server.WriteAsync("q\r"u8.ToArray());
        await server.FlushAsync();
        await session.WaitAsync(HostRun.Patience);
        Assert.True(terminal.IsClosed);
        Assert.Equal(["quit"], vm.Calls);
    }

    [Fact]
    public async Task CancellationStopsAWaitingSession()
    {
        using var server = new AnonymousPipeServerStream(PipeDirection.Out);
        using var client = new AnonymousPipeClientStream(PipeDirection.In, server.ClientSafePipeHandle);
        using var output = new MemoryStream();
        using var stop = new CancellationTokenSource();
        Task session = MonitorStreamSession.RunAsync(new MonitorTerminal(new HumanMonitor(new FakeVm())), client, output, stop.Token);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => session.WaitAsync(HostRun.Patience));
    }
}
