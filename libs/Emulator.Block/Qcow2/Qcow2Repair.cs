namespace Emulator.Block;

/// <summary>What a check may repair (qemu-img check -r): nothing, leaks, or leaks and the errors we know how to fix.</summary>
internal enum Qcow2Repair
{
    None,
    Leaks,
    All,
}
