using Emulator.Cpu;

namespace Emulator.Platform;

/// <summary>
/// The MTRRs as SeaBIOS's mtrr_setup leaves them before it starts a <c>-kernel</c> under QEMU, for
/// the boots that skip firmware: fixed ranges WB below 640 KiB, UC for the VGA window, WP for the
/// ROM area; variable range 0 makes the PCI hole up to 4 GiB UC; MTRRs and fixed ranges enabled
/// with WB as the default type. Linux initialises PAT only when it finds MTRRs enabled, so without
/// this it reports "MTRRs disabled, skipping PAT initialization too" where QEMU's boot programs PAT.
/// </summary>
public static class FirmwareMtrrs
{
    /// <summary>IA32_MTRR_DEF_TYPE: E, FE, default type WB.</summary>
    public const ulong DefaultType = 0xC06;

    private const ulong AllWriteProtected = 0x0505_0505_0505_0505;
    private const ulong MaskValid = 0x800;
    private const ulong FourGiB = 1UL << 32;

    /// <summary>Sets <paramref name="state"/>'s MTRRs for a machine with <paramref name="ramBelowFourGiB"/> bytes of RAM below 4 GiB.</summary>
    public static void Apply(ref CpuState state, ulong ramBelowFourGiB)
    {
        state.MtrrFixed[0] = WriteBackUpTo(ramBelowFourGiB, 0, 0x1_0000);
        state.MtrrFixed[1] = WriteBackUpTo(ramBelowFourGiB, 0x8_0000, 0x4000);
        state.MtrrFixed[2] = 0;
        for (int i = 3; i < MtrrFixedFile.Count; i++)
        {
            state.MtrrFixed[i] = AllWriteProtected;
        }

        for (int i = 0; i < MtrrVariableFile.Count; i++)
        {
            state.MtrrVariable[i] = default;
        }

        ulong holeStart = PciHoleStart(ramBelowFourGiB);
        ulong physicalMask = (1UL << ControlRegisterWrites.PhysicalAddressBits) - 1;
        state.MtrrVariable[0].Base = holeStart; // type 0: UC
        state.MtrrVariable[0].Mask = (unchecked(0UL - (FourGiB - holeStart)) & physicalMask) | MaskValid;
        state.MtrrDefType = DefaultType;
    }

    /// <summary>Where SeaBIOS starts the 32-bit PCI window: 2 GiB, 3 GiB or 3.5 GiB, the first at or above the RAM.</summary>
    public static ulong PciHoleStart(ulong ramBelowFourGiB) => ramBelowFourGiB switch
    {
        <= 0x8000_0000 => 0x8000_0000,
        <= 0xC000_0000 => 0xC000_0000,
        _ => 0xE000_0000,
    };

    /// <summary>One fixed-range MTRR of 8 sub-ranges of <paramref name="step"/> bytes from <paramref name="start"/>: WB where RAM covers the sub-range.</summary>
    private static ulong WriteBackUpTo(ulong ram, ulong start, ulong step)
    {
        ulong value = 0;
        for (int i = 0; i < 8; i++)
        {
            if (ram >= start + (step * (ulong)(i + 1)))
            {
                value |= 0x06UL << (8 * i);
            }
        }

        return value;
    }
}
