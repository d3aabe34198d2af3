using System.Diagnostics;
using System.Globalization;
using Emulator.Posix;
using Emulator.VhostUser;

namespace Emulator.Bench;

/// <summary>A device-server process serving one vhost-user connection on an inherited socket (<c>--fd N</c>).</summary>
public sealed class DeviceServer : IDisposable
{
    private const int ExitTimeoutMs = 10_000;

    private readonly Process _process;
    private bool _closed;

    private DeviceServer(string name, Process process, VhostUserFrontend frontend)
    {
        Name = name;
        _process = process;
        Frontend = frontend;
    }

    public string Name { get; }

    public int Pid => _process.Id;

    public VhostUserFrontend Frontend { get; }

    /// <summary>The test peer (echo device) built next to this assembly, run by the same dotnet host.</summary>
    public static DeviceServer StartTestPeer()
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "Emulator.TestPeer.dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"the device server {dll} is missing; run `make build`", dll);
        }

        return Start("Emulator.TestPeer (echo ring)", DotnetHost(), [dll]);
    }

    /// <summary>Starts <paramref name="program"/> with <paramref name="args"/> followed by <c>--fd N</c>.</summary>
    public static DeviceServer Start(string name, string program, IReadOnlyList<string> args)
    {
        (SafeFd ours, SafeFd theirs) = UnixSocket.CreatePair();
        using (theirs)
        {
            // This process starts one child at a time, and the fd is closed here right after, so only that child inherits it.
            Fd.SetCloseOnExec(theirs, false);
            var info = new ProcessStartInfo(program) { UseShellExecute = false };
            foreach (string a in args)
            {
                info.ArgumentList.Add(a);
            }

            info.ArgumentList.Add("--fd");
            info.ArgumentList.Add(theirs.Number.ToString(CultureInfo.InvariantCulture));
            Process process;
            try
            {
                process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {program}");
            }
            catch
            {
                ours.Dispose();
                throw;
            }

            return new DeviceServer(name, process, new VhostUserFrontend(ours, 10_000));
        }
    }

    /// <summary>Hangs up and returns the server's exit code (it exits 0 after a clean hang-up).</summary>
    public int CloseAndWait()
    {
        _closed = true;
        Frontend.Dispose();
        if (!_process.WaitForExit(ExitTimeoutMs))
        {
            _process.Kill();
            _process.WaitForExit();
            throw new TimeoutException($"{Name} did not exit within {ExitTimeoutMs} ms of the hang-up");
        }

        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_closed)
        {
            Frontend.Dispose();
            if (!_process.WaitForExit(ExitTimeoutMs))
            {
                _process.Kill();
            }
        }

        _process.Dispose();
    }

    private static string DotnetHost()
    {
        string? self = Environment.ProcessPath;
        return self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
    }
}
