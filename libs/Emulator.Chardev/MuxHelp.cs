using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace Emulator.Chardev;

/// <summary>The text C-a h prints, worded as QEMU's mux does (lines end in "\n\r" for raw terminals).</summary>
public static class MuxHelp
{
    private static readonly ImmutableArray<string> Lines =
    [
        "% h    print this help\n\r",
        "% x    exit emulator\n\r",
        "% s    save disk data back to file (if -snapshot)\n\r",
        "% t    toggle console timestamps\n\r",
        "% b    send break (magic sysrq)\n\r",
        "% c    switch between console and monitor\n\r",
        "% %  sends %\n\r",
    ];

    /// <summary>The escape character's name: "C-a" for 0x01 .. "C-y" for 0x19, else "Escape-Char".</summary>
    public static string EscapeName(byte escapeChar) =>
        escapeChar is > 0 and < 26 ? "C-" + (char)(escapeChar - 1 + 'a') : "Escape-Char";

    public static byte[] Text(byte escapeChar)
    {
        StringBuilder text = new();
        text.Append(escapeChar is > 0 and < 26
            ? "\n\r"
            : string.Create(CultureInfo.InvariantCulture, $"\n\rEscape-Char set to Ascii: 0x{escapeChar:x2}\n\r\n\r"));
        string name = EscapeName(escapeChar);
        foreach (string line in Lines)
        {
            text.Append(line.Replace("%", name, StringComparison.Ordinal));
        }

        return Encoding.ASCII.GetBytes(text.ToString());
    }
}
