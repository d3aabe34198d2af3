using System.Text;

namespace Emulator.System.Tests.Guest;

/// <summary>
/// The console's lines as a file grows, each with the host time it was first seen, so a guest's
/// clock reading can be compared with the host's at that moment. Serial consoles end lines with
/// CR LF (and the kernel may add stray CRs): a line is its text without them.
/// </summary>
public sealed class ConsoleTranscript
{
    private readonly List<(string Text, DateTimeOffset SeenAt)> _lines = [];
    private int _consumed;

    public IReadOnlyList<(string Text, DateTimeOffset SeenAt)> Lines => _lines;

    /// <summary>All the text, complete lines and the unfinished tail.</summary>
    public string Text { get; private set; } = string.Empty;

    /// <summary>Takes the file's whole current content; new complete lines get <paramref name="now"/>.</summary>
    public void Update(string content, DateTimeOffset now)
    {
        if (content.Length < Text.Length)
        {
            return; // Read while being rewritten: never happens to an append-only file, but ignore it.
        }

        Text = content;
        int end;
        while ((end = content.IndexOf('\n', _consumed)) >= 0)
        {
            _lines.Add((content[_consumed..end].Replace("\r", string.Empty, StringComparison.Ordinal), now));
            _consumed = end + 1;
        }
    }

    /// <summary>The text after "<paramref name="marker"/> " on the first line starting so, or null.</summary>
    public string? Value(string marker) => First(marker + " ")?.Text[(marker.Length + 1)..];

    /// <summary>The first line starting with <paramref name="prefix"/> and when it was seen, or null.</summary>
    public (string Text, DateTimeOffset SeenAt)? First(string prefix)
    {
        foreach ((string Text, DateTimeOffset SeenAt) line in _lines)
        {
            if (line.Text.StartsWith(prefix, StringComparison.Ordinal))
            {
                return line;
            }
        }

        return null;
    }

    /// <summary>The text after "<paramref name="marker"/> " of every line starting so.</summary>
    public IReadOnlyList<string> Values(string marker) =>
        _lines.Where(l => l.Text.StartsWith(marker + " ", StringComparison.Ordinal)).Select(l => l.Text[(marker.Length + 1)..]).ToList();

    /// <summary>For failure messages: the whole console, readable.</summary>
    public override string ToString() => new StringBuilder("console:\n").Append(Text).ToString();
}
