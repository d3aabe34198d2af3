using System.Text;

namespace Emulator.Bench;

/// <summary>
/// The shell script the bench guest runs after boot (passed base64-encoded as <c>emu.run64=</c>, see
/// scripts/guest/init) and the kernel command line carrying it. Each item is timed in the guest with
/// /proc/uptime deltas (10 ms resolution; busybox has no finer wall clock everywhere) and framed by
/// <c>EMU-BEGIN</c>/<c>EMU-TIME</c> lines so the host can also read its own CPU time at both ends.
/// </summary>
public static class GuestScript
{
    public const int DataBytes = 16 * 1024 * 1024;

    /// <summary>The timed items in the order the guest runs them.</summary>
    public static IReadOnlyList<string> Items { get; } = ["gen", "shell", "awk", "md5sum", "sha256sum", "gzip"];

    /// <summary>
    /// The data is 16 MiB of `seq 100000` output repeated (deterministic, text-like, compressible but not
    /// trivially: a run of zeros would let gzip finish in no time). It lives in a tmpfs.
    /// </summary>
    public static string Script { get; } = string.Join('\n',
        "mkdir -p /tmp; mount -t tmpfs tmpfs /tmp; cd /tmp",
        "t() { n=$1; shift; echo \"EMU-BEGIN $n\"; read s x </proc/uptime; \"$@\" >o 2>&1; c=$?; read e x </proc/uptime;"
            + " echo \"EMU-TIME $n $(awk \"BEGIN{print $e-$s}\")\"; [ $c = 0 ] || echo \"EMU-FAIL $n $c\"; }",
        "gen() { seq 100000 >s; i=0; while [ $i -lt 29 ]; do cat s; i=$((i+1)); done | head -c " + DataBytes + " >d; }",
        "loop() { i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done; }",
        "t gen gen; echo \"EMU-OUT gen $(wc -c <d)\"",
        "t shell loop",
        "t awk awk 'BEGIN{for(i=0;i<1000000;i++)s+=i; print s}'; echo \"EMU-OUT awk $(cat o)\"",
        "t md5sum md5sum d; echo \"EMU-OUT md5sum $(cut -c1-32 o)\"",
        "t sha256sum sha256sum d; echo \"EMU-OUT sha256sum $(cut -c1-64 o)\"",
        "t gzip gzip -c d; echo \"EMU-OUT gzip $(wc -c <o)\"",
        "");

    /// <summary>The kernel command line: serial console, quiet boot, the script.</summary>
    public static string Append { get; } = KernelArguments(Script);

    /// <summary>
    /// The command line that runs <paramref name="script"/>. On loaded cores QEMU TCG can fail Linux's
    /// IO-APIC timer check and panic, so both emulators skip it, and a panic ends the run at once.
    /// </summary>
    public static string KernelArguments(string script) =>
        "console=ttyS0 quiet no_timer_check panic=-1 emu.run64=" + Convert.ToBase64String(Encoding.UTF8.GetBytes(script));
}
