using System.Buffers.Binary;

namespace Emulator.Platform;

/// <summary>
/// The Fixed ACPI Description Table, revision 5 (268 bytes, ACPI 5.0 5.2.9): PIIX4-style PM
/// blocks at <see cref="AcpiPmDevice"/>'s ports, SCI on IRQ 9, the 0xCF9 reset register, the DSDT
/// by both its 32-bit and X_ pointer, the FACS by FIRMWARE_CTRL only. SMI_CMD is 0: the machine
/// starts in ACPI mode (no firmware to hand over).
/// </summary>
public static class Fadt
{
    public const int Length = 268;
    public const byte Revision = 5;

    // FADT flags (ACPI 6.x table 5.10).
    public const uint FlagWbinvd = 1 << 0;
    public const uint FlagProcC1 = 1 << 2;
    public const uint FlagSleepButton = 1 << 5;
    public const uint FlagRtcS4 = 1 << 7;
    public const uint FlagResetRegisterSupported = 1 << 10;
    public const uint FlagUsePlatformClock = 1 << 15;

    /// <summary>IAPC_BOOT_ARCH: LEGACY_DEVICES and 8042, as QEMU's pc.</summary>
    public const ushort BootArchitecture = 0x0003;

    public static byte[] Build(uint facsAddress, uint dsdtAddress, ushort pmBase = AcpiPmDevice.DefaultBase)
    {
        var b = new byte[Length - AcpiTable.HeaderLength];
        Span<byte> f = b;
        const int H = AcpiTable.HeaderLength;
        BinaryPrimitives.WriteUInt32LittleEndian(f[(36 - H)..], facsAddress);
        BinaryPrimitives.WriteUInt32LittleEndian(f[(40 - H)..], dsdtAddress);
        BinaryPrimitives.WriteUInt16LittleEndian(f[(46 - H)..], AcpiPmDevice.SciIrq);
        BinaryPrimitives.WriteUInt32LittleEndian(f[(56 - H)..], pmBase);
        BinaryPrimitives.WriteUInt32LittleEndian(f[(64 - H)..], (uint)(pmBase + AcpiPmDevice.ControlOffset));
        BinaryPrimitives.WriteUInt32LittleEndian(f[(76 - H)..], (uint)(pmBase + AcpiPmDevice.TimerOffset));
        f[88 - H] = 4; // PM1_EVT_LEN
        f[89 - H] = 2; // PM1_CNT_LEN
        f[91 - H] = 4; // PM_TMR_LEN
        BinaryPrimitives.WriteUInt16LittleEndian(f[(96 - H)..], 0x0FFF); // no C2
        BinaryPrimitives.WriteUInt16LittleEndian(f[(98 - H)..], 0xFFFF); // no C3
        f[108 - H] = 0x32; // CENTURY: the CMOS byte holding the century, as QEMU
        BinaryPrimitives.WriteUInt16LittleEndian(f[(109 - H)..], BootArchitecture);
        BinaryPrimitives.WriteUInt32LittleEndian(f[(112 - H)..],
            FlagWbinvd | FlagProcC1 | FlagSleepButton | FlagRtcS4 | FlagResetRegisterSupported | FlagUsePlatformClock);
        AcpiTable.WriteIoAddress(f[(116 - H)..], ResetControlRegister.Port, 8, 1);
        f[128 - H] = ResetControlRegister.ResetValue;
        f[131 - H] = 1; // FADT minor version (5.1)
        // X_FIRMWARE_CTRL stays 0: ACPI requires one of the two FACS pointers to be zero, and Linux
        // installs (and lists) the FACS once per non-zero pointer. QEMU fills only the 32-bit one too.
        BinaryPrimitives.WriteUInt64LittleEndian(f[(140 - H)..], dsdtAddress);
        AcpiTable.WriteIoAddress(f[(148 - H)..], pmBase, 32, 2);
        AcpiTable.WriteIoAddress(f[(172 - H)..], (ushort)(pmBase + AcpiPmDevice.ControlOffset), 16, 2);
        AcpiTable.WriteIoAddress(f[(208 - H)..], (ushort)(pmBase + AcpiPmDevice.TimerOffset), 32, 3);
        return AcpiTable.Build("FACP", Revision, b);
    }
}
