using System.Globalization;
using Emulator.System.Tests.EndToEnd;
using Xunit.Abstractions;

namespace Emulator.System.Tests.Guest;

/// <summary>
/// Debian's stock kernel on our CPU and pc platform, booted once for the whole class (see
/// <see cref="StockKernelBoot"/>): the answers of the commands it ran, its console carried by the
/// emu-chardev process, and a clean power-off.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class StockKernelTests(StockKernelBoot boot, ITestOutputHelper output) : IClassFixture<StockKernelBoot>
{
    /// <summary>What our CPUID advertises and Linux must therefore list.</summary>
    public static readonly TheoryData<string> AdvertisedFlags = new(
        "fpu", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic", "sep", "mtrr", "pge", "mca", "cmov", "pat", "pse36", "clflush", "mmx", "fxsr",
        "sse", "sse2", "syscall", "nx", "rdtscp", "lm", "pni", "ssse3", "cx16", "popcnt", "lahf_lm");

    [Fact]
    public void GuestPowersOffAndEmuExitsZero()
    {
        output.WriteLine($"time to EMU-GUEST-READY: {boot.TimeToReady}, to emu's exit: {boot.RunTime}");
        Assert.True(boot.ExitStatus == 0, boot.Describe());
        Assert.True(boot.Transcript.First("EMU-GUEST-READY") is not null, boot.Describe());
        Assert.True(boot.Transcript.First("@done") is not null, boot.Describe());
        Assert.True(boot.Transcript.Value("EMU-GUEST-EXIT") == "0", boot.Describe());
    }

    [Fact]
    public void UnameIsTheReleaseTheGuestScriptBuilt() =>
        Assert.True(boot.Transcript.Value("@uname") == boot.Images.KernelRelease, $"expected {boot.Images.KernelRelease}\n{boot.Describe()}");

    [Fact]
    public void CpuinfoNamesAmd() =>
        Assert.True(boot.Transcript.Value("@vendor") == "AuthenticAMD", boot.Describe());

    [Theory]
    [MemberData(nameof(AdvertisedFlags))]
    public void CpuinfoListsAdvertisedFlag(string flag)
    {
        string flags = boot.Transcript.Value("@flags") ?? string.Empty;
        Assert.True(flags.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains(flag), $"no '{flag}' in flags: {flags}\n{boot.Describe()}");
    }

    /// <summary>MCE and MCA with MCG_CAP and the banks: Linux's machine-check device initialises, as under QEMU.</summary>
    [Fact]
    public void MachineCheckDeviceInitialises() =>
        Assert.True(boot.Transcript.Value("@mce-init-failed") == "0", boot.Describe());

    /// <summary>PAT with MTRRs advertised: Linux keeps the PAT layout it programs, the line QEMU's boot prints.</summary>
    [Fact]
    public void PatConfigurationIsQemus() =>
        Assert.True(boot.Transcript.Value("@pat")?.Split(' ', StringSplitOptions.RemoveEmptyEntries) is ["WB", "WC", "UC-", "UC", "WB", "WP", "UC-", "WT"], boot.Describe());

    [Fact]
    public void GuestDateIsTheHostsWithinAMinute()
    {
        (string Text, DateTimeOffset SeenAt)? seen = boot.Transcript.First("@date ");
        Assert.True(seen is not null, boot.Describe());
        (string Text, DateTimeOffset SeenAt) line = seen.Value;
        long guest = long.Parse(line.Text["@date ".Length..], CultureInfo.InvariantCulture);
        long host = line.SeenAt.ToUnixTimeSeconds();
        Assert.True(Math.Abs(guest - host) <= 60, $"guest says {guest}, host said {host} when the line arrived\n{boot.Describe()}");
    }

    /// <summary>
    /// A correctness check of the guest's clocks (calibration, timer interrupts), measured with the
    /// guest's own uptime; it is not a speed target. Starting a process is slow on an interpreter
    /// (and slower on a busy host), so <c>sleep 1</c> is bracketed: its whole time must be at least
    /// 0.9 s (a clock running fast fails here), and its time less that of <c>sleep 0</c> at most
    /// 1.5 s (a slow clock or a lost wake-up fails here).
    /// </summary>
    [Fact]
    public void SleepOneTakesAboutASecondOfGuestTime()
    {
        double[] uptimes = (boot.Transcript.Value("@sleep") ?? string.Empty)
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(t => double.Parse(t, CultureInfo.InvariantCulture))
            .ToArray();
        Assert.True(uptimes.Length == 3, boot.Describe());
        double startup = uptimes[1] - uptimes[0];
        double sleepOne = uptimes[2] - uptimes[1];
        output.WriteLine($"sleep 0: {startup:F2} s, sleep 1: {sleepOne:F2} s of guest uptime");
        Assert.True(sleepOne >= 0.9, $"sleep 1 took {sleepOne:F2} s of guest uptime");
        Assert.True(sleepOne - startup <= 1.5, $"sleep 1 took {sleepOne:F2} s, sleep 0 {startup:F2} s of guest uptime");
    }

    [Theory]
    [InlineData("IO-APIC")]
    [InlineData("LOC")]
    public void InterruptsCountTimerTicks(string source)
    {
        IReadOnlyList<string> interrupts = boot.Transcript.Values("@irq");
        string? line = interrupts.FirstOrDefault(l => source == "LOC"
            ? l.TrimStart().StartsWith("LOC:", StringComparison.Ordinal)
            : l.Contains(source, StringComparison.Ordinal) && l.TrimEnd().EndsWith("timer", StringComparison.Ordinal));
        Assert.True(line is not null, $"no {source} timer line in /proc/interrupts:\n{string.Join('\n', interrupts)}\n{boot.Describe()}");
        Assert.True(InterruptCount(line) > 0, $"no {source} timer interrupts counted: {line}");
    }

    [Fact]
    public void TmpfsFileReadsBackWhatWasWritten()
    {
        Assert.True(boot.Transcript.Value("@tmpfs-type") == "tmpfs", boot.Describe());
        Assert.True(boot.Transcript.Value("@tmpfs-read") == GuestProbeScript.TmpfsText, boot.Describe());
    }

    [Fact]
    public void Md5OfAwkDataMatchesTheHost()
    {
        byte[] data = GuestProbeScript.AwkData();
        string expected = $"{GuestProbeScript.Md5Hex(data)} {data.Length.ToString(CultureInfo.InvariantCulture)}";
        Assert.True(boot.Transcript.Value("@md5-awk") == expected, $"expected {expected}\n{boot.Describe()}");
    }

    [Fact]
    public void Md5OfPipedDataMatchesTheHost()
    {
        string expected = GuestProbeScript.Md5Hex(GuestProbeScript.YesData());
        Assert.True(boot.Transcript.Value("@md5-yes") == expected, $"expected {expected}\n{boot.Describe()}");
    }

    [Fact]
    public void ConsoleBytesPassThroughTheChardevServer()
    {
        Assert.True(boot.Server is not null, $"emu never had an emu-chardev child serving '{StockKernelBoot.ChardevId}'\n{boot.Describe()}");
        Assert.Equal("emu-chardev", boot.Server.Comm);
        Assert.Contains(boot.Server.CommandLine, arg => arg.Contains(boot.ConsolePath, StringComparison.Ordinal));
        Assert.True(boot.Server.HadConsoleOpen, "the chardev server never had the console file open");
        Assert.False(boot.EmuOpenedConsoleFile, "emu itself opened the console file: the bytes did not need the server");
        Assert.True(boot.Transcript.Value("@uname") is not null, $"the server's file lacks the guest's output\n{boot.Describe()}");
    }

    /// <summary>The count of a /proc/interrupts line: its per-CPU numbers after "N:", summed.</summary>
    private static long InterruptCount(string line) =>
        line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..]
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .TakeWhile(field => field.All(char.IsAsciiDigit))
            .Sum(field => long.Parse(field, CultureInfo.InvariantCulture));
}
