using System.Text;

namespace Emulator.DeviceHost;

/// <summary>The --help text, generated from the definition so every server documents the same way.</summary>
public static class DeviceServerUsage
{
    private const int Column = 26;

    public static string Format(DeviceServerDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        string program = definition.ProgramName;
        var text = new StringBuilder();
        text.Append("Usage: ").Append(program).Append(" (--socket-path PATH | --fd N) [options]\n");
        text.Append("       ").Append(program).Append(" --print-capabilities\n");
        if (definition.Description is not null)
        {
            text.Append('\n').Append(definition.Description).Append('\n');
        }

        text.Append("\nOptions:\n");
        Line(text, "--socket-path PATH", "listen on this UNIX socket; serve one front-end at a time");
        Line(text, "--fd N", "serve the connected socket N; exit when it hangs up");
        Line(text, "--parent-pid PID", "die with process PID (the emulator that started us)");
        foreach (ServerOption option in definition.Options)
        {
            string left = option.TakesValue ? $"--{option.Name} {option.ValueName}" : $"--{option.Name}";
            Line(text, left, option.Required ? option.Description + " (required)" : option.Description);
        }

        Line(text, "--print-capabilities", "print {\"type\": ..., \"features\": [...]} and exit");
        Line(text, "-h, --help", "show this help and exit");
        text.Append("\nValues may be given as '--opt value' or '--opt=value'.\n");
        text.Append("Logs go to stderr. SIGTERM or SIGINT stops the server.\n");
        text.Append("Exit status: ").Append(DeviceServerExitCode.Success).Append(" success, ")
            .Append(DeviceServerExitCode.Failure).Append(" failure, ")
            .Append(DeviceServerExitCode.Usage).Append(" command-line error.\n");
        return text.ToString();
    }

    private static void Line(StringBuilder text, string left, string description)
    {
        text.Append("  ").Append(left);
        int pad = Column - 2 - left.Length;
        text.Append(' ', pad > 0 ? pad : 1).Append(description).Append('\n');
    }
}
