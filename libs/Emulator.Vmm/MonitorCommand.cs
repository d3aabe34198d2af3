namespace Emulator.Vmm;

/// <summary>
/// One row of a monitor command table, shaped like QEMU's hmp-commands.hx: <c>Name</c> may hold
/// aliases ("cont|c"), <c>Params</c> and <c>Help</c> make the help line
/// "name params -- help". A command with <c>SubCommands</c> (info) dispatches on its next word.
/// </summary>
internal sealed record MonitorCommand(
    string Name,
    string Params,
    string Help,
    Func<string, MonitorReply> Run,
    bool TakesArgument = false,
    IReadOnlyList<MonitorCommand>? SubCommands = null)
{
    public bool Matches(string word)
    {
        foreach (string alias in Name.Split('|'))
        {
            if (alias == word)
            {
                return true;
            }
        }

        return false;
    }

    public string HelpLine => $"{Name} {Params} -- {Help}\n";
}
