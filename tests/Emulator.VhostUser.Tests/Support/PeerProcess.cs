using Emulator.Tests.Shared;
using System.Diagnostics;
using Emulator.Posix;

namespace Emulator.VhostUser.Tests;

/// <summary>The Emulator.TestPeer back-end running as a real second process.</summary>
internal sealed class PeerProcess : IDisposable
{
    private readonly Process _process;

    private PeerProcess(Process process, VhostUserFrontend frontend)
    {
        _process = process;
        Frontend = frontend;
    }

    public VhostUserFrontend Frontend { get; }

    /// <summary>Starts the peer on an inherited socketpair end (<c>--fd N</c>).</summary>
    public static PeerProcess StartWithFd()
    {
        (SafeFd ours, SafeFd theirs) = UnixSocket.CreatePair();
        using (theirs)
        {
            // Only the tests of one class start processes, one at a time, so no other child can inherit it.
            Fd.SetCloseOnExec(theirs, false);
            Process process = Process.Start(StartInfo("--fd", theirs.Number.ToString(System.Globalization.CultureInfo.InvariantCulture)))
                ?? throw new InvalidOperationException("could not start the test peer");
            return new PeerProcess(process, new VhostUserFrontend(ours, 20_000));
        }
    }

    /// <summary>Starts the peer listening on a socket path, waits for "ready", connects.</summary>
    public static PeerProcess StartWithSocketPath()
    {
        string path = Path.Combine(Path.GetTempPath(), $"emu-vu-{Environment.ProcessId}-{Guid.NewGuid():N}.sock");
        Process process = Process.Start(StartInfo("--socket-path", path)) ?? throw new InvalidOperationException("could not start the test peer");
        Task<string?> line = process.StandardOutput.ReadLineAsync();
        if (!line.Wait(60_000) || line.Result != "ready")
        {
            process.Kill();
            throw new InvalidOperationException("test peer did not report ready");
        }

        return new PeerProcess(process, new VhostUserFrontend(UnixSocket.Connect(path), 20_000));
    }

    /// <summary>Closes the connection and returns the peer's exit code.</summary>
    public int CloseAndWait()
    {
        Frontend.Dispose();
        Assert.True(_process.WaitForExit(30_000), "test peer did not exit after the connection closed");
        return _process.ExitCode;
    }

    public void Dispose()
    {
        Frontend.Dispose();
        if (!_process.WaitForExit(30_000))
        {
            _process.Kill();
        }

        _process.Dispose();
    }

    private static ProcessStartInfo StartInfo(params string[] args)
    {
        string peer = Path.Combine(AppContext.BaseDirectory, "Emulator.TestPeer.dll");
        var info = new ProcessStartInfo(DotnetHost.Path) { UseShellExecute = false, RedirectStandardOutput = true };
        info.ArgumentList.Add(peer);
        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }

        return info;
    }
}
