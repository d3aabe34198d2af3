namespace Emulator.Cpu;

/// <summary>What started a task switch: it decides the busy-bit, back-link and NT handling (Intel SDM vol. 3, 7.3 and Table 7-2).</summary>
public enum TaskSwitchSource
{
    /// <summary>JMP far: the old task becomes available, no back link.</summary>
    Jump,

    /// <summary>CALL far: the old task stays busy, the new one links back to it with NT set.</summary>
    Call,

    /// <summary>An interrupt or exception through a task gate: as <see cref="Call"/>.</summary>
    Interrupt,

    /// <summary>IRET with NT set: back to the (busy) back-link task; the old task becomes available with NT cleared.</summary>
    Iret,
}
