namespace Emulator.Vmm;

/// <summary>The VM refused a monitor request; the message is shown to the user after "Error: ".</summary>
public sealed class VmControlException : Exception
{
    public VmControlException(string message)
        : base(message)
    {
    }

    public VmControlException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public VmControlException()
        : base("the VM refused the request")
    {
    }
}
