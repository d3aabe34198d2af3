using Emulator.Posix;

namespace Emulator.VhostUser;

/// <summary>The back-end's bookkeeping for one ring between messages: what the front-end has set so far.</summary>
internal sealed class RingSlot : IDisposable
{
    public ushort Size { get; set; }

    public VringAddress? Address { get; set; }

    public ushort Base { get; set; }

    public EventFd? Kick { get; private set; }

    public EventFd? Call { get; private set; }

    public EventFd? Err { get; private set; }

    public bool Enabled { get; set; }

    public bool Started { get; set; }

    public void ReplaceKick(EventFd? fd)
    {
        Kick?.Dispose();
        Kick = fd;
    }

    public void ReplaceCall(EventFd? fd)
    {
        Call?.Dispose();
        Call = fd;
    }

    public void ReplaceErr(EventFd? fd)
    {
        Err?.Dispose();
        Err = fd;
    }

    /// <summary>Back to the initial state (RESET_DEVICE): stopped, disabled, nothing set.</summary>
    public void Clear()
    {
        Dispose();
        Size = 0;
        Address = null;
        Base = 0;
        Enabled = false;
        Started = false;
    }

    public void Dispose()
    {
        ReplaceKick(null);
        ReplaceCall(null);
        ReplaceErr(null);
    }
}
