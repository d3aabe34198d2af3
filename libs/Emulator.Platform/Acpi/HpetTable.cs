using System.Buffers.Binary;

namespace Emulator.Platform;

/// <summary>The HPET description table (IA-PC HPET spec 3.2.4): event timer block id, base address in memory space, HPET number 0.</summary>
public static class HpetTable
{
    public static byte[] Build(PcFirmwareConfig config)
    {
        var b = new byte[20];
        BinaryPrimitives.WriteUInt32LittleEndian(b, config.HpetEventTimerBlockId);
        b[4] = 0; // system memory
        b[5] = 64;
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(8), config.HpetAddress);
        // HPET number 0, minimum tick 0 and no page protection, as QEMU.
        return AcpiTable.Build("HPET", 1, b);
    }
}
