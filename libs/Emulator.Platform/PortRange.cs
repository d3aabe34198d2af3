namespace Emulator.Platform;

/// <summary>A half-open range of I/O ports [<see cref="First"/>, <see cref="First"/> + <see cref="Count"/>).</summary>
public readonly record struct PortRange(ushort First, int Count)
{
    public bool Contains(ushort port) => port >= First && port - First < Count;
}
