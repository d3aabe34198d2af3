using System.Globalization;
using System.Text;
using Emulator.Chardev;
using Emulator.Memory;
using Emulator.VhostUser;
using Emulator.Vmm;
using Emulator.Vmm.Chardev;

namespace Emulator.System.Tests.EndToEnd;

/// <summary>
/// A test front-end for one real <c>bin/emu-chardev</c>: started through a <see cref="DeviceManager"/>
/// (so with <c>--fd</c> and <c>--parent-pid</c>, as the emulator does), its stdio redirected where the
/// test says and its stderr kept in a log, connected with the emulator's own <see cref="ChardevClient"/>.
/// </summary>
internal sealed class ChardevServerHarness : IDisposable
{
    private readonly DeviceManager _manager;
    private ChardevClient? _client;

    private ChardevServerHarness(DeviceManager manager, DeviceConnection server, string logPath)
    {
        _manager = manager;
        Server = server;
        LogPath = logPath;
    }

    public DeviceConnection Server { get; }

    public ChardevClient Client => _client ?? throw new InvalidOperationException("not connected");

    public EventRecorder Events { get; } = new();

    public string LogPath { get; }

    /// <summary>What the server wrote to stderr so far (for failure messages and announcements).</summary>
    public string Log => File.Exists(LogPath) ? File.ReadAllText(LogPath) : string.Empty;

    public int ProcessId => Server.ProcessId ?? throw new InvalidOperationException("not spawned");

    /// <summary>Starts <c>emu-chardev --chardev CHARDEV</c> and sets up <paramref name="streams"/> byte streams.</summary>
    public static ChardevServerHarness Start(
        ScratchDirectory scratch,
        string chardev,
        int streams = 1,
        string? terminal = null,
        GuestMemory? memory = null,
        ulong virtioFeatures = VirtioConsoleLayout.FeatureVersion1)
    {
        RepoLayout.RequireBuild();
        string logPath = scratch.File($"server-{Guid.NewGuid():N}.log");
        var manager = new DeviceManager(new DeviceManagerOptions { HandleTerminationSignals = false, Log = _ => { } });
        string[] arguments =
        [
            "-c", Shell.ExecScript(terminal ?? "/dev/null", terminal ?? "/dev/null", logPath),
            RepoLayout.EmuChardev, "--chardev", chardev, "--frontends", Math.Max(1, streams).ToString(CultureInfo.InvariantCulture),
        ];
        DeviceConnection server = manager.Spawn("chardev", new DeviceServerCommand("/bin/sh", arguments));
        var harness = new ChardevServerHarness(manager, server, logPath);
        try
        {
            harness._client = ChardevClient.Connect(server.Socket, new ChardevClientOptions
            {
                Id = "chardev",
                StreamCount = streams,
                Memory = memory,
                VirtioFeatures = virtioFeatures,
                ProtocolFeatures = new ChardevClientOptions { Id = "defaults" }.ProtocolFeatures | VhostUserProtocolFeatures.InflightShmfd,
                TimeoutMs = Patience.WaitMs,
                OnEvent = harness.Events.Record,
            });
            return harness;
        }
        catch (Exception e)
        {
            string log = harness.Log;
            harness.Dispose();
            throw new InvalidOperationException($"could not set up emu-chardev --chardev {chardev}: {e.Message}\nserver log:\n{log}", e);
        }
    }

    public ChardevStream Stream(int index = 0) => Client.Streams[index];

    /// <summary>Writes everything into the stream toward the backend, waiting (boundedly) for room.</summary>
    public void Send(ReadOnlySpan<byte> data, int stream = 0)
    {
        ChardevStream s = Stream(stream);
        while (!data.IsEmpty)
        {
            data = data[s.Output.TryWrite(data)..];
            if (!data.IsEmpty)
            {
                Assert.True(s.Output.WaitForSpace(Patience.WaitMs), $"stream {stream} stayed full\n{Log}");
            }
        }
    }

    public void Send(string text, int stream = 0) => Send(Encoding.UTF8.GetBytes(text), stream);

    /// <summary>Reads exactly <paramref name="count"/> bytes that the backend delivered to the stream.</summary>
    public byte[] Receive(int count, int stream = 0)
    {
        ChardevStream s = Stream(stream);
        byte[] data = new byte[count];
        int got = 0;
        while (got < count)
        {
            int n = s.Input.Read(data.AsSpan(got));
            got += n;
            if (n == 0)
            {
                Assert.True(s.Input.WaitForData(Patience.WaitMs), $"stream {stream}: {got} of {count} bytes arrived\n{Log}");
            }
        }

        return data;
    }

    public string ReceiveText(int count, int stream = 0) => Encoding.UTF8.GetString(Receive(count, stream));

    /// <summary>Waits for the server process to end; its exit status.</summary>
    public int WaitForExit()
    {
        DateTime giveUp = DateTime.UtcNow + Patience.Wait;
        while (!Server.HasEnded)
        {
            Assert.True(DateTime.UtcNow < giveUp, $"emu-chardev (pid {ProcessId}) did not exit\n{Log}");
            Thread.Sleep(10);
        }

        return Server.ExitStatus ?? -1;
    }

    public void Dispose()
    {
        _client?.Dispose();
        _manager.Dispose();
    }
}
