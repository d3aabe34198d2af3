using Emulator.Options;

namespace Emulator.Vmm.CommandLine;

/// <summary>QEMU's <c>-d</c> items this emulator logs, with QEMU's descriptions. Pure.</summary>
public static class LogItems
{
    public const string InAsm = "in_asm";
    public const string Int = "int";
    public const string Cpu = "cpu";
    public const string CpuReset = "cpu_reset";
    public const string GuestErrors = "guest_errors";
    public const string Unimplemented = "unimp";

    private static readonly (string Name, string Description)[] Items =
    [
        (InAsm, "show target assembly code for each compiled TB"),
        (Int, "show interrupts/exceptions in short format"),
        (Cpu, "show CPU registers before entering a TB"),
        (CpuReset, "show CPU state before CPU resets"),
        (Unimplemented, "log unimplemented functionality"),
        (GuestErrors, "log when the guest OS does something invalid (eg accessing a\nnon-existent register)"),
    ];

    public static string HelpText =>
        "Log items (comma separated):\n" + string.Concat(Items.Select(i => $"{i.Name,-10} {i.Description}\n"));

    public static IReadOnlyList<string> Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        List<string> items = [];
        foreach (string item in value.Split(','))
        {
            if (!Items.Any(i => i.Name == item))
            {
                throw new OptionsException($"-d {value}: unknown log item '{item}' (-d help lists them)");
            }

            if (!items.Contains(item))
            {
                items.Add(item);
            }
        }

        return items;
    }
}
