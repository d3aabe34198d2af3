namespace Emulator.Platform;

/// <summary>
/// QEMU's <c>isa-debug-exit</c>: a write of V to its ports ends the emulator with status (V &lt;&lt; 1) | 1,
/// so a guest can report success or failure of a test run (it can never produce status 0). Reads
/// return 0xFFFFFFFF masked by size, as an unassigned port, like QEMU (the device has no read callback).
/// </summary>
public sealed class IsaDebugExit : IPortDevice
{
    public const ushort DefaultBase = 0x501;
    public const int DefaultSize = 2;

    private readonly Action<int> _exit;

    /// <summary><paramref name="exit"/> receives the exit status; it is called on the vCPU thread.</summary>
    public IsaDebugExit(Action<int> exit)
    {
        ArgumentNullException.ThrowIfNull(exit);
        _exit = exit;
    }

    public uint Read(ushort offset, int size) => size >= 4 ? 0xFFFF_FFFF : (1u << (size * 8)) - 1;

    public void Write(ushort offset, int size, uint value) => _exit(unchecked((int)((value << 1) | 1)));
}
