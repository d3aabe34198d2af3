namespace Emulator.Chardev;

/// <summary>What an EMU_CHARDEV_EVENT reports (QEMU's CHR_EVENT_* and the mux's escape commands).</summary>
public enum ChardevEventKind : uint
{
    /// <summary>The backend has a peer (QEMU's CHR_EVENT_OPENED): a monitor prints its banner.</summary>
    Opened = 1,

    /// <summary>The peer left (CHR_EVENT_CLOSED).</summary>
    Closed = 2,

    /// <summary>C-a x: the mux printed "QEMU: Terminated"; the emulator quits with status 0.</summary>
    ExitRequested = 3,

    /// <summary>C-a b: a serial break for the event's stream.</summary>
    Break = 4,

    /// <summary>The mux focus moved to the event's stream (CHR_EVENT_MUX_IN; every other stream is out).</summary>
    FocusChanged = 5,

    /// <summary>C-a s: commit -snapshot disks.</summary>
    CommitRequested = 6,
}
