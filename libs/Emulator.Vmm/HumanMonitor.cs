namespace Emulator.Vmm;

/// <summary>
/// The human monitor's command interpreter (QEMU's HMP), free of I/O: one line in, text out.
/// Parsing, wording and help layout follow QEMU's monitor/hmp.c, so users and scripts see the
/// messages they know ("unknown command: 'foo'", "VM status: paused").
/// </summary>
public sealed class HumanMonitor
{
    private readonly IVmControl _vm;
    private readonly IReadOnlyList<MonitorCommand> _commands;

    public HumanMonitor(IVmControl vm)
    {
        ArgumentNullException.ThrowIfNull(vm);
        _vm = vm;
        IReadOnlyList<MonitorCommand> info = Sorted(
        [
            new("registers", string.Empty, "show the cpu registers", _ => Text(WithNewline(_vm.FormatRegisters()))),
            new("status", string.Empty, "show the current VM status (running|paused)", _ => Text(FormatStatus(_vm.State))),
        ]);
        _commands = Sorted(
        [
            new("cont|c", string.Empty, "resume emulation", _ => Cont()),
            new("help|?", "[cmd]", "show the help", argument => Text(HelpFor(argument)), TakesArgument: true),
            new("info", "[subcommand]", "show various information about the system state", _ => Text(HelpFor("info")), SubCommands: info),
            new("quit|q", string.Empty, "quit the emulator", _ => Quit()),
            new("stop|s", string.Empty, "stop emulation", _ => Do(_vm.Pause)),
            new("system_reset", string.Empty, "reset the system", _ => Do(_vm.Reset)),
        ]);
    }

    /// <summary>Runs one command line (without its line terminator). Never throws for any input.</summary>
    public MonitorReply Execute(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        int start = SkipSpaces(line, 0);
        int position = start;
        int consumed = start;
        IReadOnlyList<MonitorCommand> table = _commands;
        MonitorCommand? command = null;
        while (true)
        {
            if (position == line.Length && command is null)
            {
                return MonitorReply.Empty;
            }

            int nameEnd = position;
            while (nameEnd < line.Length && line[nameEnd] != '/' && !IsSpace(line[nameEnd]))
            {
                nameEnd++;
            }

            command = Find(table, line[position..nameEnd]);
            if (command is null)
            {
                return Text($"unknown command: '{line[start..nameEnd]}'\n");
            }

            consumed = nameEnd;
            position = SkipSpaces(line, nameEnd);
            if (command.SubCommands is null || position == line.Length)
            {
                break;
            }

            table = command.SubCommands;
        }

        string rest = line[position..].TrimEnd();
        if (!command.TakesArgument && rest.Length > 0)
        {
            return Text($"{command.Name}: extraneous characters at the end of line\n"
                + $"Try \"help {line[start..consumed]}\" for more information\n");
        }

        try
        {
            return command.Run(rest);
        }
        catch (VmControlException e)
        {
            return Text($"Error: {e.Message}\n");
        }
    }

    internal static string FormatStatus(RunState state) => state switch
    {
        RunState.Running => "VM status: running\n",
        RunState.Paused => "VM status: paused\n",
        _ => $"VM status: paused ({QapiName(state)})\n",
    };

    private static string QapiName(RunState state) => state switch
    {
        RunState.Prelaunch => "prelaunch",
        RunState.Running => "running",
        RunState.Paused => "paused",
        RunState.Debug => "debug",
        RunState.Shutdown => "shutdown",
        RunState.InternalError => "internal-error",
        RunState.GuestPanicked => "guest-panicked",
        _ => "unknown",
    };

    private static MonitorReply Text(string output) => new(output, false);

    private static string WithNewline(string text) =>
        text.Length == 0 || text.EndsWith('\n') ? text : text + "\n";

    private static bool IsSpace(char c) => c is ' ' or '\t' or '\n' or '\v' or '\f' or '\r';

    private static int SkipSpaces(string line, int position)
    {
        while (position < line.Length && IsSpace(line[position]))
        {
            position++;
        }

        return position;
    }

    private static MonitorCommand? Find(IReadOnlyList<MonitorCommand> table, string word)
    {
        foreach (MonitorCommand command in table)
        {
            if (command.Matches(word))
            {
                return command;
            }
        }

        return null;
    }

    /// <summary>QEMU sorts its tables by name (ordinal), which is the order help lists them in.</summary>
    private static IReadOnlyList<MonitorCommand> Sorted(MonitorCommand[] commands) =>
        [.. commands.OrderBy(c => c.Name, StringComparer.Ordinal)];

    /// <summary>Help for the words of <paramref name="argument"/>: all commands, one command, or a sub-table.</summary>
    private string HelpFor(string argument)
    {
        string[] words = argument.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        return HelpFor(_commands, words, 0);
    }

    private static string HelpFor(IReadOnlyList<MonitorCommand> table, string[] words, int index)
    {
        string prefix = string.Concat(words.Take(index).Select(w => w + " "));
        if (index >= words.Length)
        {
            return string.Concat(table.Select(c => prefix + c.HelpLine));
        }

        MonitorCommand? command = Find(table, words[index]);
        if (command is null)
        {
            return $"unknown command: '{string.Join(' ', words.Take(index + 1))}'\n";
        }

        return command.SubCommands is null ? prefix + command.HelpLine : HelpFor(command.SubCommands, words, index + 1);
    }

    private MonitorReply Cont()
    {
        // QEMU's qmp_cont: these states only leave through a reset.
        if (_vm.State is RunState.Shutdown or RunState.InternalError or RunState.GuestPanicked)
        {
            return Text("Error: Resetting the Virtual Machine is required\n");
        }

        return Do(_vm.Resume);
    }

    private MonitorReply Quit()
    {
        _vm.Quit();
        return new MonitorReply(string.Empty, true);
    }

    private static MonitorReply Do(Action action)
    {
        action();
        return MonitorReply.Empty;
    }
}
