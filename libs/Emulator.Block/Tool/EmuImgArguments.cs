namespace Emulator.Block;

/// <summary>A qemu-img style command line: short options with a value, flags, long options, positionals.</summary>
internal sealed class EmuImgArguments
{
    private readonly Dictionary<string, string> values = [];
    private readonly HashSet<string> flags = [];
    private readonly List<string> positionals = [];

    public IReadOnlyList<string> Positionals => positionals;

    /// <summary>Splits <paramref name="args"/>; <paramref name="withValue"/> and <paramref name="flagNames"/> are the options the command knows.</summary>
    public static EmuImgArguments Parse(IReadOnlyList<string> args, string[] withValue, string[] flagNames)
    {
        var parsed = new EmuImgArguments();
        for (int i = 0; i < args.Count; i++)
        {
            string a = args[i];
            if (a.Length < 2 || a[0] != '-')
            {
                parsed.positionals.Add(a);
                continue;
            }

            string name = a, value = "";
            bool inline = false;
            int eq = a.IndexOf('=', StringComparison.Ordinal);
            if (a.StartsWith("--", StringComparison.Ordinal) && eq > 0)
            {
                name = a[..eq];
                value = a[(eq + 1)..];
                inline = true;
            }

            if (withValue.Contains(name))
            {
                if (!inline)
                {
                    if (i + 1 >= args.Count)
                    {
                        throw new EmuImgUsageException($"option '{name}' needs a value");
                    }

                    value = args[++i];
                }

                if (!parsed.values.TryAdd(name, value))
                {
                    throw new EmuImgUsageException($"option '{name}' given twice");
                }
            }
            else if (flagNames.Contains(name) && !inline)
            {
                parsed.flags.Add(name);
            }
            else
            {
                throw new EmuImgUsageException($"unknown option '{a}'");
            }
        }

        return parsed;
    }

    public string? Value(string name) => values.GetValueOrDefault(name);

    public bool Flag(string name) => flags.Contains(name);

    /// <summary>-o key=value,key=value.</summary>
    public Dictionary<string, string> FormatOptions()
    {
        var options = new Dictionary<string, string>();
        if (Value("-o") is not { } text)
        {
            return options;
        }

        foreach (string item in text.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = item.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new EmuImgUsageException($"invalid -o option '{item}' (expected key=value)");
            }

            options[item[..eq]] = item[(eq + 1)..];
        }

        return options;
    }
}
