namespace Emulator.Vmm.Chardev;

/// <summary>What uses a chardev stream in the CPU process.</summary>
public enum FrontEndKind
{
    /// <summary>A COM port (<c>-serial</c>); its UART model arrives with the CPU.</summary>
    Serial,

    /// <summary>The human monitor (<c>-monitor</c>, <c>-mon</c>, <c>mon:</c>).</summary>
    Monitor,
}
