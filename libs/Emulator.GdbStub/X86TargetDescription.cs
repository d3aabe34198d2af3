using System.Text;

namespace Emulator.GdbStub;

/// <summary>
/// The <c>target.xml</c> served through <c>qXfer:features:read</c>: architecture i386:x86-64 with gdb's
/// core, sse and segments features plus QEMU's system registers, every register carrying its
/// <see cref="X86GdbRegisters"/> number so <c>g</c>/<c>p</c> and gdb agree. One flat document (no
/// xi:include) so one annex serves it all.
/// </summary>
public static class X86TargetDescription
{
    public const string Annex = "target.xml";

    /// <summary>The document's bytes, built once per call (callers keep it).</summary>
    public static byte[] Build()
    {
        var xml = new StringBuilder();
        xml.Append("<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n<target version=\"1.0\">\n");
        xml.Append("<architecture>i386:x86-64</architecture>\n");
        xml.Append("<feature name=\"org.gnu.gdb.i386.core\">\n");
        xml.Append(Flags("i386_eflags", 4, ["CF", "", "PF", "AF", "ZF", "SF", "TF", "IF", "DF", "OF", "NT", "RF", "VM", "AC", "VIF", "VIP", "ID"], [0, 1, 2, 4, 6, 7, 8, 9, 10, 11, 14, 16, 17, 18, 19, 20, 21]));
        string[] gprs = ["rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"];
        for (int i = 0; i < gprs.Length; i++)
        {
            string type = gprs[i] is "rbp" or "rsp" ? "data_ptr" : "int64";
            Reg(xml, gprs[i], 64, type, i);
        }

        Reg(xml, "rip", 64, "code_ptr", X86GdbRegisters.Rip);
        Reg(xml, "eflags", 32, "i386_eflags", X86GdbRegisters.Eflags);
        string[] segments = ["cs", "ss", "ds", "es", "fs", "gs"];
        for (int i = 0; i < segments.Length; i++)
        {
            Reg(xml, segments[i], 32, "int32", X86GdbRegisters.FirstSegment + i);
        }

        for (int i = 0; i < 8; i++)
        {
            Reg(xml, $"st{i}", 80, "i387_ext", X86GdbRegisters.FirstSt + i);
        }

        string[] control = ["fctrl", "fstat", "ftag", "fiseg", "fioff", "foseg", "fooff", "fop"];
        for (int i = 0; i < control.Length; i++)
        {
            Reg(xml, control[i], 32, "int", X86GdbRegisters.Fctrl + i, "float");
        }

        xml.Append("</feature>\n<feature name=\"org.gnu.gdb.i386.sse\">\n");
        xml.Append("<vector id=\"v8bf16\" type=\"bfloat16\" count=\"8\"/>\n<vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/>\n");
        xml.Append("<vector id=\"v2d\" type=\"ieee_double\" count=\"2\"/>\n<vector id=\"v16i8\" type=\"int8\" count=\"16\"/>\n");
        xml.Append("<vector id=\"v8i16\" type=\"int16\" count=\"8\"/>\n<vector id=\"v4i32\" type=\"int32\" count=\"4\"/>\n");
        xml.Append("<vector id=\"v2i64\" type=\"int64\" count=\"2\"/>\n");
        xml.Append("<union id=\"vec128\"><field name=\"v8_bfloat16\" type=\"v8bf16\"/><field name=\"v4_float\" type=\"v4f\"/>");
        xml.Append("<field name=\"v2_double\" type=\"v2d\"/><field name=\"v16_int8\" type=\"v16i8\"/><field name=\"v8_int16\" type=\"v8i16\"/>");
        xml.Append("<field name=\"v4_int32\" type=\"v4i32\"/><field name=\"v2_int64\" type=\"v2i64\"/><field name=\"uint128\" type=\"uint128\"/></union>\n");
        xml.Append(Flags("i386_mxcsr", 4, ["IE", "DE", "ZE", "OE", "UE", "PE", "DAZ", "IM", "DM", "ZM", "OM", "UM", "PM", "FZ"], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 15]));
        for (int i = 0; i < 16; i++)
        {
            Reg(xml, $"xmm{i}", 128, "vec128", X86GdbRegisters.FirstXmm + i);
        }

        Reg(xml, "mxcsr", 32, "i386_mxcsr", X86GdbRegisters.Mxcsr, "vector");
        xml.Append("</feature>\n<feature name=\"org.gnu.gdb.i386.segments\">\n");
        Reg(xml, "fs_base", 64, "int", X86GdbRegisters.FsBase);
        Reg(xml, "gs_base", 64, "int", X86GdbRegisters.GsBase);
        xml.Append("</feature>\n<feature name=\"org.qemu.gdb.i386.sys\">\n");
        Reg(xml, "k_gs_base", 64, "int", X86GdbRegisters.KernelGsBase, "system");
        string[] system = ["cr0", "cr2", "cr3", "cr4", "cr8", "efer"];
        for (int i = 0; i < system.Length; i++)
        {
            Reg(xml, system[i], 64, "int", X86GdbRegisters.Cr0 + i, "system");
        }

        xml.Append("</feature>\n</target>\n");
        return Encoding.ASCII.GetBytes(xml.ToString());
    }

    private static void Reg(StringBuilder xml, string name, int bits, string type, int number, string? group = null)
    {
        xml.Append($"<reg name=\"{name}\" bitsize=\"{bits}\" type=\"{type}\" regnum=\"{number}\"");
        if (group is not null)
        {
            xml.Append($" group=\"{group}\"");
        }

        xml.Append("/>\n");
    }

    private static string Flags(string id, int size, string[] names, int[] bits)
    {
        var flags = new StringBuilder($"<flags id=\"{id}\" size=\"{size}\">");
        for (int i = 0; i < names.Length; i++)
        {
            flags.Append($"<field name=\"{names[i]}\" start=\"{bits[i]}\" end=\"{bits[i]}\"/>");
        }

        return flags.Append("</flags>\n").ToString();
    }
}
