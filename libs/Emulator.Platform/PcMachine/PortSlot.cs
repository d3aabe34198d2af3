namespace Emulator.Platform;

/// <summary>A port range that reaches whichever device currently fills it (devices rebuilt on system reset).</summary>
internal sealed class PortSlot(Func<IPortDevice> current) : IPortDevice
{
    public uint Read(ushort offset, int size) => current().Read(offset, size);

    public void Write(ushort offset, int size, uint value) => current().Write(offset, size, value);
}
