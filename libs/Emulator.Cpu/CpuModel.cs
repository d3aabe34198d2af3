namespace Emulator.Cpu;

/// <summary>
/// The processor identity CPUID leaf 1 reports and RESET leaves in EDX. <see cref="Qemu64"/> is
/// QEMU's <c>-cpu qemu64</c>: family 15, model 107, stepping 1 (signature 0x00060FB1, read from
/// QEMU 7.2's EDX after reset), deliberately not a Zen family so Linux leaves return-thunk
/// mitigations off.
/// </summary>
public sealed record CpuModel
{
    public CpuModel(int family, int model, int stepping)
    {
        // CPUID's fields: family 0-15 plus an 8-bit extended family, model 4+4 bits, stepping 4 bits.
        ArgumentOutOfRangeException.ThrowIfNegative(family);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(family, 0x0F + 0xFF);
        ArgumentOutOfRangeException.ThrowIfNegative(model);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(model, 0xFF);
        ArgumentOutOfRangeException.ThrowIfNegative(stepping);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(stepping, 0x0F);
        Family = family;
        Model = model;
        Stepping = stepping;
    }

    public static CpuModel Qemu64 { get; } = new(15, 107, 1);

    public int Family { get; }

    public int Model { get; }

    public int Stepping { get; }

    /// <summary>
    /// CPUID(1).EAX: stepping in bits 0-3, model in 4-7 with its high nibble in 16-19, family in
    /// 8-11 saturating at 15 with the excess in 20-27 (Intel SDM vol. 2A, CPUID, figure 3-6).
    /// </summary>
    public uint Signature
    {
        get
        {
            uint family = Family > 0x0F ? 0x0F00u | ((uint)(Family - 0x0F) << 20) : (uint)Family << 8;
            uint model = ((uint)Model & 0x0F) << 4 | ((uint)Model >> 4) << 16;
            return family | model | (uint)Stepping;
        }
    }
}
