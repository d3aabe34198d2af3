namespace Emulator.Platform;

/// <summary>A device on the I/O port bus. <c>offset</c> is the port minus the first port of the range it registered; sizes are 1, 2 or 4.</summary>
public interface IPortDevice
{
    uint Read(ushort offset, int size);

    void Write(ushort offset, int size, uint value);
}
