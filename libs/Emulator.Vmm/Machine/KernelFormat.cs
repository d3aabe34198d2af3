namespace Emulator.Vmm.Machine;

/// <summary>What a <c>-kernel</c> file was recognised as, in QEMU's order of looking.</summary>
public enum KernelFormat
{
    /// <summary>No <c>-kernel</c>.</summary>
    None,

    /// <summary>A bzImage ("HdrS" setup header): the 64-bit Linux boot protocol.</summary>
    BzImage,

    /// <summary>An ELF vmlinux with a PVH entry note.</summary>
    Pvh,

    /// <summary>A multiboot v1 kernel (ELF or a.out kludge).</summary>
    Multiboot,
}
