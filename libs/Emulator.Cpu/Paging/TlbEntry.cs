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

    /// <summary>The paging-context generation <see cref="FastRead"/> and <see cref="FastWrite"/> were judged under (0: never).</summary>
    public long Generation;

    /// <summary>An explicit data read may use this entry without a rights check (under <see cref="Generation"/>).</summary>
    public bool FastRead;

    /// <summary>An explicit data write may use this entry without a rights or D-bit check (under <see cref="Generation"/>).</summary>
    public bool FastWrite;
}
