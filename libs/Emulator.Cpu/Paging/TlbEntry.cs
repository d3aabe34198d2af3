namespace Emulator.Cpu;

/// <summary>
/// One cached 4 KiB translation. <see cref="Tag"/> is the linear page address with bit 0 set
/// (0 = empty); pieces of large pages are cached 4 KiB at a time, as QEMU does.
/// </summary>
public struct TlbEntry
{
    public ulong Tag;
    public ulong PhysicalPage;
    public PagePermissions Permissions;
    public bool SlowPath;
}
