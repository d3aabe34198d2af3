using System.Globalization;
using System.Text;

namespace Emulator.Options;

/// <summary>
/// QEMU's <c>key=value,key=value</c> option grammar, shared by every option that takes one
/// (-chardev, -device, -drive, -machine...): an implied first key (<c>socket,path=x</c> means
/// <c>backend=socket,path=x</c>), <c>,,</c> for a literal comma, a bare <c>key</c> meaning
/// <c>key=on</c>, and typed accessors. Keys read through the accessors are remembered, so
/// <see cref="ThrowOnUnused"/> can reject typos with QEMU's wording.
/// </summary>
public sealed class KeyValueOptions
{
    private readonly List<KeyValuePair<string, string>> _pairs;
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    private KeyValueOptions(List<KeyValuePair<string, string>> pairs)
    {
        _pairs = pairs;
    }

    public IReadOnlyList<KeyValuePair<string, string>> Pairs => _pairs;

    /// <summary>Parses <paramref name="text"/>. A first element without '=' is the value of <paramref name="impliedKey"/>.</summary>
    public static KeyValueOptions Parse(string text, string? impliedKey = null)
    {
        List<KeyValuePair<string, string>> pairs = [];
        List<string> elements = Split(text);
        for (int i = 0; i < elements.Count; i++)
        {
            string element = elements[i];
            int eq = element.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0)
            {
                if (i == 0 && impliedKey is not null)
                {
                    if (element.Length == 0)
                    {
                        throw new OptionsException($"Parameter '{impliedKey}' is missing");
                    }

                    pairs.Add(new(impliedKey, element));
                }
                else if (element.Length == 0)
                {
                    throw new OptionsException($"Invalid parameter '' in '{text}'");
                }
                else
                {
                    AddUnique(pairs, element, "on");
                }

                continue;
            }

            string key = element[..eq];
            if (key.Length == 0)
            {
                throw new OptionsException($"Invalid parameter '{element}': empty key");
            }

            AddUnique(pairs, key, element[(eq + 1)..]);
        }

        return new KeyValueOptions(pairs);
    }

    public bool Has(string key) => _pairs.Any(p => p.Key == key);

    /// <summary>True if the user asked for help (<c>help</c> or <c>?</c> as the implied value).</summary>
    public bool IsHelp(string key) => Get(key) is "help" or "?";

    public string? Get(string key)
    {
        _used.Add(key);
        foreach (KeyValuePair<string, string> p in _pairs)
        {
            if (p.Key == key)
            {
                return p.Value;
            }
        }

        return null;
    }

    public string GetRequired(string key) =>
        Get(key) ?? throw new OptionsException($"Parameter '{key}' is missing");

    public bool GetBool(string key, bool defaultValue)
    {
        string? v = Get(key);
        return v switch
        {
            null => defaultValue,
            "on" or "yes" or "true" => true,
            "off" or "no" or "false" => false,
            _ => throw new OptionsException($"Parameter '{key}' expects 'on' or 'off'"),
        };
    }

    public long GetNumber(string key, long defaultValue)
    {
        string? v = Get(key);
        if (v is null)
        {
            return defaultValue;
        }

        bool hex = v.StartsWith("0x", StringComparison.OrdinalIgnoreCase);
        return long.TryParse(hex ? v[2..] : v, hex ? NumberStyles.AllowHexSpecifier : NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long n)
            ? n
            : throw new OptionsException($"Parameter '{key}' expects a number");
    }

    /// <summary>A size with QEMU's suffixes: k/K, M, G, T (binary), bytes without a suffix unless <paramref name="defaultUnit"/>.</summary>
    public ulong GetSize(string key, ulong defaultValue, ulong defaultUnit = 1)
    {
        string? v = Get(key);
        return v is null ? defaultValue : ParseSize(v, defaultUnit) ?? throw new OptionsException($"Parameter '{key}' expects a size");
    }

    /// <summary>Parses "512", "512M", "1.5G"; null if malformed or past 2^64.</summary>
    public static ulong? ParseSize(string text, ulong defaultUnit = 1)
    {
        if (text.Length == 0)
        {
            return null;
        }

        ulong unit = char.ToUpperInvariant(text[^1]) switch
        {
            'B' => 1,
            'K' => 1UL << 10,
            'M' => 1UL << 20,
            'G' => 1UL << 30,
            'T' => 1UL << 40,
            'P' => 1UL << 50,
            'E' => 1UL << 60,
            _ => 0,
        };
        string digits = unit == 0 ? text : text[..^1];
        unit = unit == 0 ? defaultUnit : unit;
        if (!decimal.TryParse(digits, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal d))
        {
            return null;
        }

        if (d > (decimal)ulong.MaxValue / unit)
        {
            return null;
        }

        decimal bytes = d * unit;
        return bytes > ulong.MaxValue || bytes != decimal.Truncate(bytes) ? null : (ulong)bytes;
    }

    /// <summary>Rejects keys no accessor asked for, as QEMU does ("Invalid parameter 'x'").</summary>
    public void ThrowOnUnused()
    {
        foreach (KeyValuePair<string, string> p in _pairs)
        {
            if (!_used.Contains(p.Key))
            {
                throw new OptionsException($"Invalid parameter '{p.Key}'");
            }
        }
    }

    /// <summary>
    /// Every way of naming a key (<c>k=v</c>, bare <c>k</c>, the implied first key) counts, so
    /// <c>server=off,server</c> is an error rather than a silent first-wins.
    /// </summary>
    private static void AddUnique(List<KeyValuePair<string, string>> pairs, string key, string value)
    {
        if (pairs.Exists(p => p.Key == key))
        {
            throw new OptionsException($"Parameter '{key}' given more than once");
        }

        pairs.Add(new(key, value));
    }

    private static List<string> Split(string text)
    {
        List<string> elements = [];
        StringBuilder current = new();
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c != ',')
            {
                current.Append(c);
            }
            else if (i + 1 < text.Length && text[i + 1] == ',')
            {
                current.Append(',');
                i++;
            }
            else
            {
                elements.Add(current.ToString());
                current.Clear();
            }
        }

        elements.Add(current.ToString());
        return elements;
    }
}
