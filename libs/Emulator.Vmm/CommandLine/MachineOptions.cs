using Emulator.Options;

namespace Emulator.Vmm.CommandLine;

/// <summary>
/// <c>-M</c>/<c>-machine</c> and <c>-accel</c>: emu has one machine, <c>pc</c> (i440FX + PIIX), and
/// one accelerator, its own translator, which it calls <c>tcg</c> so QEMU command lines carry over.
/// Pure; errors are <see cref="OptionsException"/> worded as QEMU words them.
/// </summary>
public static class MachineOptions
{
    public const string DefaultMachine = "pc";

    public const string HelpText = "Supported machines are:\npc                   Standard PC (i440FX + PIIX, 1996) (default)\n";

    public const string AccelHelpText = "Accelerators supported in QEMU binary:\ntcg\n";

    public static bool IsHelpRequest(string value) => value is "help" or "?" || value.StartsWith("help,", StringComparison.Ordinal);

    /// <summary><c>-M pc</c>, <c>-M type=pc,accel=tcg</c>; anything else is refused.</summary>
    public static void ParseMachine(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        KeyValueOptions o = KeyValueOptions.Parse(value, "type");
        string type = o.Get("type") ?? DefaultMachine;
        if (type is not ("pc" or "pc-i440fx-7.2"))
        {
            throw new OptionsException($"unsupported machine type\nUse -machine help to list supported machines");
        }

        if (o.Get("accel") is { } accel)
        {
            CheckAccelerator(accel);
        }

        o.ThrowOnUnused();
    }

    /// <summary><c>-accel tcg</c> (also <c>accel=tcg</c> as its first key).</summary>
    public static void ParseAccel(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        KeyValueOptions o = KeyValueOptions.Parse(value, "accel");
        CheckAccelerator(o.GetRequired("accel"));
        o.ThrowOnUnused();
    }

    private static void CheckAccelerator(string name)
    {
        if (name != "tcg")
        {
            throw new OptionsException($"invalid accelerator {name}");
        }
    }
}
