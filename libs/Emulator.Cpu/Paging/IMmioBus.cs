namespace Emulator.Cpu;

/// <summary>
/// Physical addresses that are not guest RAM: device registers (LAPIC, IOAPIC, HPET, PCI BARs...).
/// The soft-MMU sends an access here when its physical address is outside every RAM region.
/// Returns false when no device claims the address; the caller then treats it as unassigned
/// (reads all ones, writes ignored, as QEMU). Called on the vCPU thread; accesses never cross a page.
/// </summary>
public interface IMmioBus
{
    bool TryRead(ulong physical, Span<byte> destination);

    bool TryWrite(ulong physical, ReadOnlySpan<byte> source);
}
