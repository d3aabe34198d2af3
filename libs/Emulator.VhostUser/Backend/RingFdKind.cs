namespace Emulator.VhostUser;

/// <summary>Which of a ring's eventfds a SET_VRING_KICK/CALL/ERR sets.</summary>
internal enum RingFdKind
{
    Kick,
    Call,
    Err,
}
