namespace Emulator.Platform;

/// <summary>Offsets of the xAPIC registers in the 4 KiB MMIO page (SDM vol. 3, Table 10-1).</summary>
public static class LocalApicRegister
{
    public const int Id = 0x20;
    public const int Version = 0x30;
    public const int TaskPriority = 0x80;
    public const int ArbitrationPriority = 0x90;
    public const int ProcessorPriority = 0xA0;
    public const int EndOfInterrupt = 0xB0;
    public const int RemoteRead = 0xC0;
    public const int LogicalDestination = 0xD0;
    public const int DestinationFormat = 0xE0;
    public const int SpuriousVector = 0xF0;
    public const int InService = 0x100;
    public const int TriggerMode = 0x180;
    public const int InterruptRequest = 0x200;
    public const int ErrorStatus = 0x280;
    public const int CommandLow = 0x300;
    public const int CommandHigh = 0x310;
    public const int LvtTimer = 0x320;
    public const int LvtThermal = 0x330;
    public const int LvtPerformance = 0x340;
    public const int LvtLint0 = 0x350;
    public const int LvtLint1 = 0x360;
    public const int LvtError = 0x370;
    public const int InitialCount = 0x380;
    public const int CurrentCount = 0x390;
    public const int DivideConfiguration = 0x3E0;

    /// <summary>Version register as QEMU: version 0x14, six LVT entries (max LVT index 5).</summary>
    public const uint VersionValue = 0x0005_0014;

    public const uint LvtMasked = 1u << 16;
    public const uint SvrEnable = 1u << 8;
}
