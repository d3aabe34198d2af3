namespace Emulator.Bench;

/// <summary>The marker lines the bench guest prints on its console (see <see cref="GuestScript"/>).</summary>
public enum ConsoleEventKind
{
    /// <summary><c>EMU-GUEST-READY</c>: /init is up.</summary>
    Ready,

    /// <summary><c>EMU-BEGIN name</c>: the guest is about to start timing <c>name</c>.</summary>
    Begin,

    /// <summary><c>EMU-TIME name seconds</c>: the guest's wall-clock time for <c>name</c>.</summary>
    Time,

    /// <summary><c>EMU-FAIL name status</c>: the timed command exited non-zero.</summary>
    Fail,

    /// <summary><c>EMU-OUT name text</c>: what the command computed, to compare between emulators.</summary>
    Output,

    /// <summary><c>EMU-GUEST-EXIT status</c>: the script finished; the guest powers off next.</summary>
    Exit,
}
