using System.Globalization;
using System.Text;

namespace Emulator.DeviceHost;

/// <summary>
/// The command-line grammar shared by every device server: <c>--opt value</c> or <c>--opt=value</c>,
/// flags without values, no positional arguments. Pure: every error is a
/// <see cref="DeviceServerUsageException"/> with a message fit for the user.
/// </summary>
public static class DeviceServerArgumentParser
{
    /// <summary>sun_path holds 108 bytes including the terminating NUL.</summary>
    public const int MaxSocketPathBytes = 107;

    public static DeviceServerArguments Parse(DeviceServerDefinition definition, IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(args);

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var flags = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i] ?? throw new DeviceServerUsageException("null argument");
            if (arg == "-h")
            {
                arg = "--help";
            }

            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            {
                throw new DeviceServerUsageException($"unexpected argument '{arg}'");
            }

            int eq = arg.IndexOf('=', StringComparison.Ordinal);
            string name = eq < 0 ? arg[2..] : arg[2..eq];
            string? inlineValue = eq < 0 ? null : arg[(eq + 1)..];
            bool takesValue = TakesValue(definition, name);

            if (!takesValue)
            {
                if (inlineValue is not null)
                {
                    throw new DeviceServerUsageException($"option '--{name}' takes no value");
                }

                flags.Add(name);
                continue;
            }

            string value;
            if (inlineValue is not null)
            {
                value = inlineValue;
            }
            else if (i + 1 < args.Count && args[i + 1] is string next && !next.StartsWith("--", StringComparison.Ordinal))
            {
                value = next;
                i++;
            }
            else
            {
                throw new DeviceServerUsageException($"option '--{name}' needs a value");
            }

            if (!values.TryAdd(name, value))
            {
                throw new DeviceServerUsageException($"option '--{name}' given more than once");
            }
        }

        bool help = flags.Remove("help");
        bool printCapabilities = flags.Remove("print-capabilities");
        string? socketPath = Take(values, "socket-path");
        string? fdText = Take(values, "fd");
        string? parentText = Take(values, "parent-pid");
        if (help)
        {
            return new DeviceServerArguments(true, printCapabilities, socketPath, null, null, values, flags);
        }

        int? fd = fdText is null ? null : ParseNumber(fdText, "--fd", "a descriptor number", allowZero: true);
        int? parentPid = parentText is null ? null : ParseNumber(parentText, "--parent-pid", "a process id", allowZero: false);
        if (socketPath is not null)
        {
            CheckSocketPath(socketPath);
        }

        if (!printCapabilities)
        {
            if (socketPath is not null && fd is not null)
            {
                throw new DeviceServerUsageException("--socket-path and --fd cannot be used together");
            }

            if (socketPath is null && fd is null)
            {
                throw new DeviceServerUsageException("one of --socket-path or --fd is required");
            }

            foreach (ServerOption option in definition.Options)
            {
                if (option.Required && !values.ContainsKey(option.Name) && !flags.Contains(option.Name))
                {
                    throw new DeviceServerUsageException($"option '--{option.Name}' is required");
                }
            }
        }

        return new DeviceServerArguments(false, printCapabilities, socketPath, fd, parentPid, values, flags);
    }

    private static bool TakesValue(DeviceServerDefinition definition, string name) => name switch
    {
        "socket-path" or "fd" or "parent-pid" => true,
        "help" or "print-capabilities" => false,
        _ => (definition.FindOption(name) ?? throw new DeviceServerUsageException($"unknown option '--{name}'")).TakesValue,
    };

    private static string? Take(Dictionary<string, string> values, string name) =>
        values.Remove(name, out string? value) ? value : null;

    private static int ParseNumber(string text, string option, string what, bool allowZero)
    {
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n) || (n == 0 && !allowZero))
        {
            throw new DeviceServerUsageException($"invalid {option} value '{text}': expected {what}");
        }

        return n;
    }

    private static void CheckSocketPath(string path)
    {
        if (path.Length == 0)
        {
            throw new DeviceServerUsageException("--socket-path must not be empty");
        }

        if (path.Contains('\0', StringComparison.Ordinal))
        {
            throw new DeviceServerUsageException("--socket-path must not contain NUL characters");
        }

        if (Encoding.UTF8.GetByteCount(path) > MaxSocketPathBytes)
        {
            throw new DeviceServerUsageException($"--socket-path is longer than {MaxSocketPathBytes} bytes");
        }
    }
}
