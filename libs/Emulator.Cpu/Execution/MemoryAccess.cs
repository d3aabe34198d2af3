namespace Emulator.Cpu;

/// <summary>
/// Why the processor touches memory: the access kind a page walk checks (Intel SDM vol. 3, 4.6
/// "Access Rights"). A read-modify-write instruction reads with <see cref="Write"/>, because
/// hardware checks write permission before the read and reports W=1 in the #PF error code.
/// </summary>
public enum MemoryAccess
{
    Read,
    Write,
    Execute,
}
