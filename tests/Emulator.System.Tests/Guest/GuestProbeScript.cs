using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Emulator.System.Tests.Guest;

/// <summary>
/// The shell script the stock guest runs (passed base64-encoded as <c>emu.run64=</c>): each probe
/// prints one "@name value" line (or several, for /proc/interrupts), so tests read the answers
/// from the console. The data it hashes is generated deterministically, so the host can compute
/// the same bytes and compare digests.
/// </summary>
internal static class GuestProbeScript
{
    public const string TmpfsText = "written to tmpfs and read back";

    /// <summary>Lines of the LCG data (x = (75 x + 74) mod 65537, the ZX81's: exact in awk's doubles).</summary>
    public const int AwkLines = 20000;

    public const int YesBytes = 1 << 20;

    public const string YesLine = "emu guest md5";

    public static string Script { get; } = string.Join('\n',
        "echo \"@uname $(uname -r)\"",
        "echo \"@vendor $(sed -n 's/^vendor_id[^:]*: //p' /proc/cpuinfo | head -n1)\"",
        "echo \"@flags $(sed -n 's/^flags[^:]*: //p' /proc/cpuinfo | head -n1)\"",
        "echo \"@mce-init-failed $(dmesg | grep -c 'Unable to init MCE')\"",
        "echo \"@pat $(dmesg | sed -n 's/.*x86\\/PAT: Configuration \\[0-7\\]: *//p' | head -n1)\"",
        "echo \"@date $(date +%s)\"",
        // sleep 0 first: its time is starting a process, which the interpreter makes slow; sleep 1 minus that is the sleep.
        "read t0 rest </proc/uptime; sleep 0; read t1 rest </proc/uptime; sleep 1; read t2 rest </proc/uptime; echo \"@sleep $t0 $t1 $t2\"",
        "sed 's/^/@irq /' /proc/interrupts",
        "mkdir -p /tmp/t && mount -t tmpfs -o size=4m tmpfs /tmp/t",
        "echo \"@tmpfs-type $(awk '$2 == \"/tmp/t\" { print $3 }' /proc/mounts)\"",
        $"echo '{TmpfsText}' >/tmp/t/f && echo \"@tmpfs-read $(cat /tmp/t/f)\"",
        $"awk 'BEGIN {{ x = 1; for (i = 0; i < {AwkLines}; i++) {{ x = (x * 75 + 74) % 65537; print x }} }}' >/tmp/t/data",
        "echo \"@md5-awk $(md5sum </tmp/t/data | cut -d' ' -f1) $(wc -c </tmp/t/data)\"",
        $"echo \"@md5-yes $(yes '{YesLine}' | head -c {YesBytes} | md5sum | cut -d' ' -f1)\"",
        "umount /tmp/t && echo \"@done\"");

    /// <summary>The script as <c>emu.run64=</c> wants it.</summary>
    public static string Base64 => Convert.ToBase64String(Encoding.UTF8.GetBytes(Script));

    /// <summary>The bytes the guest's awk writes, made on the host.</summary>
    public static byte[] AwkData()
    {
        var text = new StringBuilder();
        long x = 1;
        for (int i = 0; i < AwkLines; i++)
        {
            x = ((x * 75) + 74) % 65537;
            text.Append(x.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        return Encoding.ASCII.GetBytes(text.ToString());
    }

    /// <summary>The bytes of <c>yes LINE | head -c N</c>, made on the host.</summary>
    public static byte[] YesData()
    {
        byte[] line = Encoding.ASCII.GetBytes(YesLine + "\n");
        byte[] data = new byte[YesBytes];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = line[i % line.Length];
        }

        return data;
    }

    // MD5 because the guest's busybox md5sum is what is checked, not for security.
#pragma warning disable CA5351
    public static string Md5Hex(byte[] data) => Convert.ToHexStringLower(MD5.HashData(data));
#pragma warning restore CA5351
}
