using System.Globalization;
using Emulator.Options;
using Emulator.Platform;

namespace Emulator.Vmm.CommandLine;

/// <summary>
/// <c>-device</c>: only <c>isa-debug-exit[,iobase=N][,iosize=N]</c> exists so far (QEMU's defaults:
/// iobase 0x501, iosize 2). Numbers are decimal or 0x-hex. Pure; errors are <see cref="OptionsException"/>.
/// </summary>
public static class DeviceOptions
{
    public const string HelpText = "Misc devices:\nname \"isa-debug-exit\", bus ISA\n";

    public static bool IsHelpRequest(string value) => value is "help" or "?";

    public static PortRange ParseIsaDebugExit(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        KeyValueOptions o = KeyValueOptions.Parse(value, "driver");
        string driver = o.GetRequired("driver");
        if (driver != "isa-debug-exit")
        {
            throw new OptionsException($"'{driver}' is not a valid device model name");
        }

        o.Get("id");
        ulong iobase = Number(o, "iobase", IsaDebugExit.DefaultBase);
        ulong iosize = Number(o, "iosize", IsaDebugExit.DefaultSize);
        o.ThrowOnUnused();
        if (iosize == 0 || iobase > 0xFFFF || iosize > 0x1_0000 - iobase)
        {
            throw new OptionsException($"isa-debug-exit: iobase=0x{iobase:x},iosize=0x{iosize:x} does not fit the 64 KiB I/O space");
        }

        return new PortRange((ushort)iobase, (int)iosize);
    }

    private static ulong Number(KeyValueOptions o, string key, ulong fallback)
    {
        string? text = o.Get(key);
        if (text is null)
        {
            return fallback;
        }

        bool hex = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase);
        string digits = hex ? text[2..] : text;
        NumberStyles style = hex ? NumberStyles.AllowHexSpecifier : NumberStyles.None;
        return digits.Length > 0 && ulong.TryParse(digits, style, CultureInfo.InvariantCulture, out ulong value)
            ? value
            : throw new OptionsException($"Parameter '{key}' expects a number");
    }
}
