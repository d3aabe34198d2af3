using Emulator.Platform;
using Emulator.Vmm.Chardev;
using Emulator.Vmm.CommandLine;

namespace Emulator.Vmm.Machine;

/// <summary>
/// One <see cref="SerialPortBridge"/> per COM port the machine has (<see cref="SerialPortPresence"/>):
/// their transmit actions build the board's UARTs, and once the chardev servers run each UART is
/// attached to serial<c>i</c>'s stream (a port with no stream, e.g. QEMU's default <c>vc</c>, discards).
/// </summary>
public sealed class SerialPortBridges : IDisposable
{
    private readonly SerialPortBridge?[] _bridges;

    public SerialPortBridges(IReadOnlyList<string?> serials, Action<string> log)
    {
        ArgumentNullException.ThrowIfNull(log);
        bool[] present = SerialPortPresence.Of(serials);
        _bridges = new SerialPortBridge?[present.Length];
        for (int i = 0; i < present.Length; i++)
        {
            _bridges[i] = present[i] ? new SerialPortBridge($"serial{i}", log) : null;
        }
    }

    /// <summary>For <see cref="PcPlatformOptions.SerialPorts"/>: null where there is no port.</summary>
    public IReadOnlyList<Action<byte>?> Transmitters => [.. _bridges.Select(b => b is null ? null : (Action<byte>)b.Transmit)];

    /// <summary>Connects each port to its serial stream, where the chardev plan has one.</summary>
    public void Attach(ChardevFrontEnds frontEnds, PcPlatform platform)
    {
        ArgumentNullException.ThrowIfNull(frontEnds);
        ArgumentNullException.ThrowIfNull(platform);
        IReadOnlyList<ChardevStream?> streams = frontEnds.SerialStreams;
        for (int i = 0; i < _bridges.Length; i++)
        {
            if (_bridges[i] is { } bridge && platform.SerialPorts[i] is { } uart && i < streams.Count && streams[i] is { } stream)
            {
                bridge.Attach(uart, stream);
            }
        }
    }

    /// <summary>Stops every reader; the vCPU must no longer transmit. Idempotent.</summary>
    public void Dispose()
    {
        foreach (SerialPortBridge? bridge in _bridges)
        {
            bridge?.Dispose();
        }
    }
}
