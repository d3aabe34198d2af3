namespace Emulator.VhostUser;

/// <summary>Requests the back-end sends on the BACKEND_REQ socket (vhost-user.rst, "Back-end message types").</summary>
public enum BackendRequest : uint
{
    IotlbMsg = 1,
    ConfigChangeMsg = 2,
    VringHostNotifierMsg = 3,
    VringCall = 4,
    VringErr = 5,

    /// <summary>First code of the range a device may claim for its own back-end requests.</summary>
    FirstVendor = 1000,
}
