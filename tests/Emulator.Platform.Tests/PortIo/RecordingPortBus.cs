using Emulator.Cpu;

namespace Emulator.Platform.Tests.PortIo;

/// <summary>Records every port access; reads return queued values (then 0xFFFFFFFF, as an unassigned port).</summary>
internal sealed class RecordingPortBus : IIoPortBus
{
    public List<(bool Write, ushort Port, int Size, uint Value)> Accesses { get; } = [];

    public Queue<uint> ReadValues { get; } = new();

    public uint Read(ushort port, int size)
    {
        uint value = ReadValues.Count > 0 ? ReadValues.Dequeue() : 0xFFFF_FFFF;
        Accesses.Add((false, port, size, value));
        return value;
    }

    public void Write(ushort port, int size, uint value) => Accesses.Add((true, port, size, value));
}
