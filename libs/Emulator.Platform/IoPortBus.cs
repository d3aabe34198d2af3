using Emulator.Cpu;

namespace Emulator.Platform;

/// <summary>
/// The PC's 64 Ki I/O ports: devices register non-overlapping ranges; an access goes to the device
/// whose range holds its first port. Unassigned ports read all ones and ignore writes (as a PC and
/// QEMU). Lookups are one array index. Registration happens while the machine is built; accesses
/// come from the vCPU thread.
/// </summary>
public sealed class IoPortBus : IIoPortBus
{
    private readonly Entry?[] _ports = new Entry?[0x1_0000];

    /// <summary>Claims <paramref name="range"/> for <paramref name="device"/>; <paramref name="name"/> appears in conflict errors.</summary>
    public void Register(PortRange range, IPortDevice device, string name)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(name);
        if (range.Count <= 0 || range.First + range.Count > 0x1_0000)
        {
            throw new BusConflictException($"{name}: I/O range 0x{range.First:x}+{range.Count} is empty or leaves the 64 KiB port space");
        }

        for (int port = range.First; port < range.First + range.Count; port++)
        {
            if (_ports[port] is { } other)
            {
                throw new BusConflictException(
                    $"{name}: I/O ports 0x{range.First:x}-0x{range.First + range.Count - 1:x} overlap {other.Name} at 0x{other.Range.First:x}-0x{other.Range.First + other.Range.Count - 1:x}");
            }
        }

        var entry = new Entry(range, device, name);
        for (int port = range.First; port < range.First + range.Count; port++)
        {
            _ports[port] = entry;
        }
    }

    public uint Read(ushort port, int size)
    {
        uint mask = size >= 4 ? 0xFFFF_FFFF : (1u << (size * 8)) - 1;
        return _ports[port] is { } entry ? entry.Device.Read((ushort)(port - entry.Range.First), size) & mask : mask;
    }

    public void Write(ushort port, int size, uint value)
    {
        if (_ports[port] is { } entry)
        {
            entry.Device.Write((ushort)(port - entry.Range.First), size, value);
        }
    }

    private sealed record Entry(PortRange Range, IPortDevice Device, string Name);
}
