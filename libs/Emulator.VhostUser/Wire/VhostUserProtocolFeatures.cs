namespace Emulator.VhostUser;

/// <summary>Protocol feature bits (GET/SET_PROTOCOL_FEATURES). Bits 48-63 are left for vendor extensions.</summary>
[Flags]
public enum VhostUserProtocolFeatures : ulong
{
    None = 0,
    Mq = 1UL << 0,
    LogShmfd = 1UL << 1,
    ReplyAck = 1UL << 3,
    BackendReq = 1UL << 5,
    Config = 1UL << 9,
    BackendSendFd = 1UL << 10,
    InflightShmfd = 1UL << 12,
    ResetDevice = 1UL << 13,
    InbandNotifications = 1UL << 14,
    ConfigureMemSlots = 1UL << 15,
    Status = 1UL << 16,
    DeviceState = 1UL << 19,
}
