using Emulator.Chardev;
using Emulator.Options;
using Emulator.Vmm.CommandLine;

namespace Emulator.Vmm.Chardev;

/// <summary>
/// Resolves the command line's chardevs as QEMU's vl.c does: every <c>-chardev</c>, then one chardev
/// per <c>-serial</c> (<c>serialN</c>, N counting <c>-serial none</c> too) and <c>-monitor</c>
/// (<c>compat_monitorN</c>) shorthand, with <c>chardev:ID</c> naming an existing one. Each chardev's
/// front-ends get streams so that stream 0 (the mux's initial focus) is the one QEMU focuses, the
/// last it attaches: the chardev's last serial port, else its last monitor; C-a c then cycles as in
/// QEMU. Pure;
/// errors are <see cref="OptionsException"/> worded as QEMU words them.
/// </summary>
public static class ChardevPlanner
{
    private const string ChardevPrefix = "chardev:";

    public static ChardevPlan Plan(VmConfiguration config)
    {
        ArgumentNullException.ThrowIfNull(config);
        List<Entry> entries = [];
        foreach (string text in config.Chardevs)
        {
            ChardevSpec spec = Parse(() => ChardevParser.ParseChardev(text), "-chardev", text)
                ?? throw new InvalidOperationException("ParseChardev returned no spec");
            Add(entries, spec, "-chardev", text);
        }

        for (int i = 0; i < config.Serials.Count; i++)
        {
            string? text = config.Serials[i];
            if (text is null)
            {
                continue;
            }

            Entry entry = text.StartsWith(ChardevPrefix, StringComparison.Ordinal)
                ? Lookup(entries, text[ChardevPrefix.Length..])
                    ?? throw new OptionsException($"-serial {text}: could not connect serial device to character backend '{text}'")
                : AddShorthand(entries, text, $"serial{i}", "-serial", permitMonitorMux: true);
            entry.Serials.Add(i);
            if (entry.Spec.MonitorMuxed && !text.StartsWith(ChardevPrefix, StringComparison.Ordinal))
            {
                entry.Monitors.Add(-1);
            }
        }

        int monitorIndex = 0;
        foreach (Entry entry in entries)
        {
            for (int m = 0; m < entry.Monitors.Count; m++)
            {
                entry.Monitors[m] = monitorIndex++;
            }
        }

        for (int i = 0; i < config.Monitors.Count; i++)
        {
            string text = config.Monitors[i];
            Entry entry = text.StartsWith(ChardevPrefix, StringComparison.Ordinal)
                ? Lookup(entries, text[ChardevPrefix.Length..])
                    ?? throw new OptionsException($"chardev \"{text[ChardevPrefix.Length..]}\" not found")
                : AddShorthand(entries, text, $"compat_monitor{i}", "-monitor", permitMonitorMux: false);
            entry.Monitors.Add(monitorIndex++);
        }

        CheckStdio(entries);
        return new ChardevPlan([.. entries.Select(Build)]);
    }

    private static PlannedChardev Build(Entry entry)
    {
        int uses = entry.Serials.Count + entry.Monitors.Count;
        if (uses > 1 && !entry.Spec.Mux)
        {
            throw new OptionsException($"chardev '{entry.Spec.Id}' is already in use");
        }

        if (uses > ChardevMux.MaxFrontEnds)
        {
            throw new OptionsException($"too many uses of multiplexed chardev '{entry.Spec.Id}' (maximum is {ChardevMux.MaxFrontEnds})");
        }

        // QEMU attaches a mux's front-ends in this order: the monitors (-mon and -monitor when the
        // late backends are made, a mon: one as its serial chardev is made), then the serial ports
        // (realized at board init, COM1 first). Each attach takes the focus, so the last one keeps it,
        // and C-a c steps on in attach order. Our mux starts on stream 0, so the streams are QEMU's
        // attach order rotated to put that last front-end first: the same first focus, the same cycle.
        // (-serial mon:stdio and -nographic: the serial port on stream 0, its monitor on stream 1.)
        List<(FrontEndKind Kind, int Index)> attachOrder =
        [
            .. entry.Monitors.Select(m => (FrontEndKind.Monitor, m)),
            .. entry.Serials.Select(s => (FrontEndKind.Serial, s)),
        ];
        List<PlannedFrontEnd> frontEnds = [];
        for (int i = 0; i < attachOrder.Count; i++)
        {
            (FrontEndKind kind, int index) = attachOrder[(i + attachOrder.Count - 1) % attachOrder.Count];
            frontEnds.Add(new PlannedFrontEnd(kind, index, i));
        }

        return new PlannedChardev(entry.Spec, frontEnds) { Origin = entry.Origin };
    }

    private static Entry AddShorthand(List<Entry> entries, string text, string id, string option, bool permitMonitorMux)
    {
        ChardevSpec spec = Parse(() => ChardevParser.ParseShorthand(text, id, permitMonitorMux), option, text)
            ?? throw new OptionsException($"{option} {text}: 'none' takes no device");
        return Add(entries, spec, option, text);
    }

    private static Entry Add(List<Entry> entries, ChardevSpec spec, string option, string text)
    {
        if (Lookup(entries, spec.Id) is not null)
        {
            throw new OptionsException($"{option} {text}: Duplicate ID '{spec.Id}' for chardev");
        }

        Entry entry = new(spec, $"{option} {text}");
        entries.Add(entry);
        return entry;
    }

    private static Entry? Lookup(List<Entry> entries, string id) => entries.Find(e => e.Spec.Id == id);

    private static ChardevSpec? Parse(Func<ChardevSpec?> parse, string option, string text)
    {
        try
        {
            return parse();
        }
        catch (OptionsException e)
        {
            throw new OptionsException($"{option} {text}: {e.Message}");
        }
    }

    /// <summary>QEMU refuses a second stdio chardev: two readers of one terminal.</summary>
    private static void CheckStdio(List<Entry> entries)
    {
        if (entries.Count(e => e.Spec.Backend is StdioBackendSpec) > 1)
        {
            throw new OptionsException("cannot use stdio by multiple character devices");
        }
    }

    private sealed class Entry(ChardevSpec spec, string origin)
    {
        public ChardevSpec Spec { get; } = spec;

        public string Origin { get; } = origin;

        public List<int> Serials { get; } = [];

        public List<int> Monitors { get; } = [];
    }
}
