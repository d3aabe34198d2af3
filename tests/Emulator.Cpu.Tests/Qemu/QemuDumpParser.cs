using System.Globalization;
using System.Text.RegularExpressions;

namespace Emulator.Cpu.Tests.Qemu;

/// <summary>
/// Reads QEMU's <c>info registers</c> text back into a <see cref="CpuState"/>: every value the dump
/// shows, nothing it derives. Segment flags come back masked to their attribute bits (all QEMU
/// prints), FSW is split into its TOP and the rest. What the dump prints from these values
/// (layout, descriptor decoding, system-type names, XMM count) is then <see cref="RegisterDump"/>'s
/// to reproduce.
/// </summary>
internal static partial class QemuDumpParser
{
    private static readonly string[] SegmentNames = ["ES ", "CS ", "SS ", "DS ", "FS ", "GS "];

    public static CpuState Parse(string dump)
    {
        CpuState state = default;
        foreach (string line in dump.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            ParseLine(ref state, line);
        }

        return state;
    }

    private static void ParseLine(ref CpuState s, string line)
    {
        string head = line.Length >= 4 ? line[..4] : line;
        if (head is "GDT=" or "IDT=")
        {
            string[] parts = line[4..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            ref DescriptorTable table = ref head == "GDT=" ? ref s.Gdtr : ref s.Idtr;
            table.Base = Hex(parts[0]);
            table.Limit = (uint)Hex(parts[1]);
            return;
        }

        if (head[3] == '=' && (Array.IndexOf(SegmentNames, head[..3]) >= 0 || head[..3] is "LDT" or "TR "))
        {
            string[] parts = line[4..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var segment = new SegmentCache((ushort)Hex(parts[0]), Hex(parts[1]), (uint)Hex(parts[2]), (uint)Hex(parts[3]));
            switch (head[..3])
            {
                case "LDT":
                    s.Ldtr = segment;
                    break;
                case "TR ":
                    s.Tr = segment;
                    break;
                default:
                    s.Segments[Array.IndexOf(SegmentNames, head[..3])] = segment;
                    break;
            }

            return;
        }

        foreach (Match m in Field().Matches(line))
        {
            Assign(ref s, m.Groups[1].Value, m.Groups[2].Value, m.Groups[3].Value);
        }
    }

    private static void Assign(ref CpuState s, string name, string value, string second)
    {
        switch (name)
        {
            case "RAX" or "EAX": s.Register(GeneralRegister.Rax) = Hex(value); break;
            case "RBX" or "EBX": s.Register(GeneralRegister.Rbx) = Hex(value); break;
            case "RCX" or "ECX": s.Register(GeneralRegister.Rcx) = Hex(value); break;
            case "RDX" or "EDX": s.Register(GeneralRegister.Rdx) = Hex(value); break;
            case "RSI" or "ESI": s.Register(GeneralRegister.Rsi) = Hex(value); break;
            case "RDI" or "EDI": s.Register(GeneralRegister.Rdi) = Hex(value); break;
            case "RBP" or "EBP": s.Register(GeneralRegister.Rbp) = Hex(value); break;
            case "RSP" or "ESP": s.Register(GeneralRegister.Rsp) = Hex(value); break;
            case "RIP" or "EIP": s.Rip = Hex(value); break;
            case "RFL" or "EFL": s.Rflags = Hex(value); break;
            case "CPL": s.Cpl = byte.Parse(value, CultureInfo.InvariantCulture); break;
            case "II": s.InterruptShadow = byte.Parse(value, CultureInfo.InvariantCulture); break;
            case "A20": s.A20Enabled = byte.Parse(value, CultureInfo.InvariantCulture); break;
            case "SMM": Assert.Equal("0", value); break;
            case "HLT": s.Halted = byte.Parse(value, CultureInfo.InvariantCulture); break;
            case "CR0": s.Cr0 = Hex(value); break;
            case "CR2": s.Cr2 = Hex(value); break;
            case "CR3": s.Cr3 = Hex(value); break;
            case "CR4": s.Cr4 = Hex(value); break;
            case "DR0": s.Dr0 = Hex(value); break;
            case "DR1": s.Dr1 = Hex(value); break;
            case "DR2": s.Dr2 = Hex(value); break;
            case "DR3": s.Dr3 = Hex(value); break;
            case "DR6": s.Dr6 = Hex(value); break;
            case "DR7": s.Dr7 = Hex(value); break;
            case "EFER": s.Efer = Hex(value); break;
            case "FCW": s.Fcw = (ushort)Hex(value); break;
            case "FSW":
                s.Fsw = (ushort)(Hex(value) & ~0x3800UL);
                s.FpuTop = (byte)((Hex(value) >> 11) & 7);
                break;
            case "FTW": s.Ftw = (byte)Hex(value); break;
            case "MXCSR": s.Mxcsr = (uint)Hex(value); break;
            case ['R', .. string n] when int.TryParse(n.TrimEnd(), CultureInfo.InvariantCulture, out int r):
                s.Gpr[r] = Hex(value);
                break;
            case ['F', 'P', 'R', char i]:
                s.Fpr[i - '0'] = new Float80 { Significand = Hex(value), SignExponent = (ushort)Hex(second) };
                break;
            case ['X', 'M', 'M', .. string i]:
                s.Xmm[int.Parse(i, CultureInfo.InvariantCulture)] = new XmmRegister { High = Hex(value), Low = Hex(second) };
                break;
            default:
                Assert.Fail($"unexpected field {name}");
                break;
        }
    }

    private static ulong Hex(string text) => ulong.Parse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);

    // NAME=value, NAME=value value (FPR, XMM), or "R8 =value"; [ST=n] is FSW's echo and is skipped.
    [GeneratedRegex(@"(?<![\[\w])([A-Z][A-Z0-9]*(?: (?==))?)=([0-9a-f]+)(?: ([0-9a-f]{4}|[0-9a-f]{16})(?= |$))?")]
    private static partial Regex Field();
}
