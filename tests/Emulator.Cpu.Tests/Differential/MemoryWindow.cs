namespace Emulator.Cpu.Tests.Differential;

/// <summary><paramref name="Size"/> bytes at linear <paramref name="Linear"/> are RAM at <paramref name="Physical"/> (see <see cref="MirroredMemory"/>).</summary>
public readonly record struct MemoryWindow(ulong Linear, ulong Physical, ulong Size)
{
    /// <summary>Whether the whole access lies in the window, and where it lands.</summary>
    public bool TryMap(ulong linear, int length, out ulong physical)
    {
        ulong offset = linear - Linear;
        physical = Physical + offset;
        return linear >= Linear && offset + (ulong)length <= Size;
    }
}
