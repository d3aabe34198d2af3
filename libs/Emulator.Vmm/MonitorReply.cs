namespace Emulator.Vmm;

/// <summary>The result of one monitor command line: text ('\n' line ends) and whether the session ends.</summary>
public readonly record struct MonitorReply(string Output, bool Quit)
{
    public static MonitorReply Empty => new(string.Empty, false);
}
