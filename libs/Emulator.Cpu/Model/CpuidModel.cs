namespace Emulator.Cpu;

/// <summary>
/// What CPUID returns: one coherent processor modelled on QEMU 7.2's <c>-cpu qemu64</c> with an AMD
/// vendor (so Linux keeps page-table isolation off) and family 15 (so it does not enable Zen
/// return-thunk mitigations). Leaves not listed, and leaves above the maxima in leaf 0 and
/// 8000_0000h, return zeros (AMD's behaviour; Intel would repeat the highest basic leaf), as does
/// the hypervisor range 4000_0000h until the platform adds a paravirtual clock there.
/// <para>
/// Some advertised features are not executed by the interpreter yet (they are the next increments
/// and Linux needs them to boot): FPU, MMX, FXSR, SSE, SSE2, SSE3, SSSE3, SEP (SYSENTER), SYSCALL.
/// Leaf 1 EDX is qemu64's: DE, MCE (with the banks of <see cref="MachineCheckBanks"/>), MTRR (the
/// MTRR MSRs of <see cref="ModelSpecificRegisters"/>), MCA and PSE36 included. Leaf 8000_0001h carries AMD's aliases of the leaf-1 bits as
/// QEMU sets them for an AMD vendor; qemu64's SVM bit is left out.
/// </para>
/// </summary>
public sealed class CpuidModel
{
    public const uint MaxBasicLeaf = 0x0D;
    public const uint MaxExtendedLeaf = 0x8000_0008;

    /// <summary>"AuthenticAMD" as EBX, EDX, ECX hold it.</summary>
    public const uint VendorEbx = 0x6874_7541;
    public const uint VendorEdx = 0x6974_6E65;
    public const uint VendorEcx = 0x444D_4163;

    public const uint Leaf1Edx = CpuidFeatures.Fpu | CpuidFeatures.De | CpuidFeatures.Pse | CpuidFeatures.Tsc
        | CpuidFeatures.Msr | CpuidFeatures.Pae | CpuidFeatures.Mce | CpuidFeatures.Cx8 | CpuidFeatures.Apic
        | CpuidFeatures.Sep | CpuidFeatures.Mtrr | CpuidFeatures.Pge | CpuidFeatures.Mca | CpuidFeatures.Cmov
        | CpuidFeatures.Pat | CpuidFeatures.Pse36 | CpuidFeatures.Clflush | CpuidFeatures.Mmx | CpuidFeatures.Fxsr
        | CpuidFeatures.Sse | CpuidFeatures.Sse2;

    /// <summary>QEMU sets the hypervisor bit on every CPU model.</summary>
    public const uint Leaf1Ecx = CpuidFeatures.Sse3 | CpuidFeatures.Ssse3 | CpuidFeatures.Cx16 | CpuidFeatures.Popcnt
        | CpuidFeatures.Hypervisor;

    public const uint Extended1Edx = (Leaf1Edx & CpuidFeatures.AmdAliases) | CpuidFeatures.Syscall | CpuidFeatures.Nx
        | CpuidFeatures.Rdtscp | CpuidFeatures.LongMode;

    public const uint Extended1Ecx = CpuidFeatures.LahfLm;

    /// <summary>CLFLUSH line size in 8-byte units (64 bytes), leaf 1 EBX bits 15:8.</summary>
    public const uint ClflushLineUnits = 8;

    /// <summary>Leaf 8000_0008h EAX: 40 physical and 48 linear address bits, as QEMU's default.</summary>
    public const uint AddressSizes = 0x3028;

    /// <summary>QEMU's qemu64 model id (the brand string of leaves 8000_0002h-8000_0004h).</summary>
    public const string DefaultBrand = "QEMU Virtual CPU version 2.5+";

    private readonly uint[] _brand = new uint[12];

    public CpuidModel(CpuModel model, uint apicId = 0, string brand = DefaultBrand)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(apicId, 0xFFu);
        ArgumentNullException.ThrowIfNull(brand);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(brand.Length, 47);
        Model = model;
        ApicId = apicId;
        Brand = brand;
        byte[] bytes = new byte[48];
        for (int i = 0; i < brand.Length; i++)
        {
            bytes[i] = brand[i] <= 0x7F ? (byte)brand[i] : (byte)'?';
        }

        for (int i = 0; i < _brand.Length; i++)
        {
            _brand[i] = BitConverter.ToUInt32(bytes, i * 4);
        }
    }

    public CpuModel Model { get; }

    /// <summary>The initial APIC id, leaf 1 EBX bits 31:24.</summary>
    public uint ApicId { get; }

    public string Brand { get; }

    /// <summary>Advertise the LAPIC timer's TSC-deadline mode (leaf 1 ECX bit 24): set when a local APIC implements it.</summary>
    public bool TscDeadlineTimer { get; init; }

    public CpuidResult Query(uint leaf, uint subleaf)
    {
        _ = subleaf; // No subleaf-indexed leaf is advertised with content (leaves 4, 7, 0Bh, 0Dh read as zeros).
        return leaf switch
        {
            0 => new(MaxBasicLeaf, VendorEbx, VendorEcx, VendorEdx),
            1 => new(Model.Signature, (ApicId << 24) | (ClflushLineUnits << 8), Leaf1Ecx | (TscDeadlineTimer ? CpuidFeatures.TscDeadline : 0), Leaf1Edx),
            0x8000_0000 => new(MaxExtendedLeaf, VendorEbx, VendorEcx, VendorEdx),
            0x8000_0001 => new(Model.Signature, 0, Extended1Ecx, Extended1Edx),
            >= 0x8000_0002 and <= 0x8000_0004 => BrandLeaf((int)(leaf - 0x8000_0002)),

            // QEMU's legacy AMD caches: L1D and L1I 64 KiB 2-way, 64-byte lines; TLBs 255 entries fully associative.
            0x8000_0005 => new(0x01FF_01FF, 0x01FF_01FF, 0x4002_0140, 0x4002_0140),

            // L2 512 KiB 16-way, 64-byte lines; no L3.
            0x8000_0006 => new(0, 0x4200_4200, 0x0200_8140, 0),
            0x8000_0008 => new(AddressSizes, 0, 0, 0),
            _ => default,
        };
    }

    private CpuidResult BrandLeaf(int index) =>
        new(_brand[index * 4], _brand[(index * 4) + 1], _brand[(index * 4) + 2], _brand[(index * 4) + 3]);
}
