namespace Emulator.Cpu.Tests.Qemu;

/// <summary>Where <see cref="HaltingBios"/> stops.</summary>
internal enum HaltingBiosMode
{
    /// <summary>32-bit protected mode, no paging, a 32-bit TSS in TR.</summary>
    Protected,

    /// <summary>IA-32e mode with paging, still on the 32-bit code segment (EFER.LMA, CS.L clear), TR as loaded at reset.</summary>
    Compatibility,

    /// <summary>64-bit mode, a 64-bit TSS in TR, FS/GS bases and R8-R15 set.</summary>
    Long,
}
