namespace Emulator.VhostUser;

/// <summary>The header's flags word: bits 0-1 version, bit 2 reply, bit 3 need-reply; the rest reserved.</summary>
[Flags]
public enum VhostUserFlags : uint
{
    None = 0,
    Version1 = 0x1,
    VersionMask = 0x3,
    Reply = 0x4,
    NeedReply = 0x8,

    /// <summary>Every bit the protocol defines; anything outside is reserved and must be zero.</summary>
    KnownMask = VersionMask | Reply | NeedReply,
}
