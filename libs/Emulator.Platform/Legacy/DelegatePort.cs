namespace Emulator.Platform;

/// <summary>One port served by a device's methods, for devices whose ports are not contiguous (0x60 and 0x64).</summary>
public sealed class DelegatePort(Func<uint> read, Action<uint> write) : IPortDevice
{
    public uint Read(ushort offset, int size) => read();

    public void Write(ushort offset, int size, uint value) => write(value);
}
