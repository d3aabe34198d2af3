namespace Emulator.Vmm;

/// <summary>How the monitor looks on its terminal.</summary>
public sealed class MonitorOptions
{
    /// <summary>Shown at the start of the banner: "{ProductName} {Version} monitor - type 'help' ...".</summary>
    public string ProductName { get; init; } = "emu";

    public string Version { get; init; } = "0.1.0";

    /// <summary>QEMU's prompt, kept so scripts that wait for it keep working.</summary>
    public string Prompt { get; init; } = "(qemu) ";

    /// <summary>Echo typed characters: on for a raw terminal (the chardev mux), off for a pipe or a cooked tty.</summary>
    public bool Echo { get; init; } = true;

    /// <summary>"\r\n" for a raw terminal; "\n" for a pipe or file.</summary>
    public string NewLine { get; init; } = "\r\n";

    public string Banner => $"{ProductName} {Version} monitor - type 'help' for more information";
}
