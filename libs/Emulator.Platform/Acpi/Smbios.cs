using System.Buffers.Binary;
using System.Text;

namespace Emulator.Platform;

/// <summary>
/// A minimal SMBIOS 2.8 image (what SeaBIOS gives QEMU's guests): the 31-byte "_SM_" entry point,
/// which Linux finds by scanning 0xF0000-0xFFFFF in 16-byte steps, and a structure table with
/// BIOS information (type 0), system information (type 1), system boot information (type 32) and
/// the end-of-table marker (type 127). Without it Linux prints "DMI not present or invalid" and has
/// no <c>/sys/class/dmi/id</c>.
/// </summary>
public static class Smbios
{
    public const int EntryPointLength = 0x1F;
    public const string Manufacturer = "Emulator";
    public const string ProductName = "Standard PC (i440FX + PIIX, 1996)";
    public const string BiosVersion = "direct-boot";

    /// <summary>
    /// SeaBIOS's date, kept on purpose: Linux decides by the BIOS year, and a year from 2015 (Intel)
    /// or 2021 (AMD) on moves rtc_cmos alarms from the HPET to the ACPI RTC event, 2023 on makes PCI
    /// ignore e820 reservations for host bridge windows; QEMU's guests take the older paths.
    /// </summary>
    public const string BiosDate = "04/01/2014";

    /// <summary>The structure table: every structure is a formatted area then its strings, each NUL-terminated, the set ending in a second NUL.</summary>
    public static byte[] BuildStructures()
    {
        var table = new List<byte>();
        Add(table, Structure(0, 0, [
            1, // vendor: string 1
            2, // version: string 2
            0x00, 0xE8, // starting segment E800h
            3, // release date: string 3
            0, // ROM size 64 KiB
            0x08, 0, 0, 0, 0, 0, 0, 0, // characteristics: "not supported", as SeaBIOS
            0x00, 0x1C, // extension bytes: targeted content distribution, UEFI no
            0, 0, // system BIOS major/minor release
            0xFF, 0xFF, // no embedded controller firmware
        ], Manufacturer, BiosVersion, BiosDate));
        Add(table, Structure(1, 0x100, [
            1, // manufacturer
            2, // product name
            0, // version: none
            0, // serial number: none
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // UUID not set
            0x06, // wake-up type: power switch
            0, // SKU: none
            0, // family: none
        ], Manufacturer, ProductName));
        Add(table, Structure(32, 0x2000, [0, 0, 0, 0, 0, 0, 0 /* boot status: no errors */]));
        Add(table, Structure(127, 0x7F00, []));
        return [.. table];
    }

    /// <summary>The entry point for a structure table of <paramref name="structures"/> at <paramref name="tableAddress"/>.</summary>
    public static byte[] BuildEntryPoint(ReadOnlySpan<byte> structures, uint tableAddress)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(structures.Length, ushort.MaxValue);
        var e = new byte[EntryPointLength];
        "_SM_"u8.CopyTo(e);
        e[5] = EntryPointLength;
        e[6] = 2;
        e[7] = 8;
        (int count, int largest) = Measure(structures);
        BinaryPrimitives.WriteUInt16LittleEndian(e.AsSpan(8), (ushort)largest);
        "_DMI_"u8.CopyTo(e.AsSpan(0x10));
        BinaryPrimitives.WriteUInt16LittleEndian(e.AsSpan(0x16), (ushort)structures.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(e.AsSpan(0x18), tableAddress);
        BinaryPrimitives.WriteUInt16LittleEndian(e.AsSpan(0x1C), (ushort)count);
        e[0x1E] = 0x28; // SMBIOS 2.8 in BCD
        e[0x15] = AcpiTable.Checksum(e.AsSpan(0x10, 0x0F));
        e[4] = AcpiTable.Checksum(e);
        return e;
    }

    // How many structures the table holds and the largest one's size (formatted area and strings).
    private static (int Count, int Largest) Measure(ReadOnlySpan<byte> structures)
    {
        int count = 0;
        int largest = 0;
        int at = 0;
        while (at + 4 <= structures.Length)
        {
            int start = at;
            at += structures[at + 1];
            while (at + 1 < structures.Length && (structures[at] != 0 || structures[at + 1] != 0))
            {
                at++;
            }

            at += 2;
            count++;
            largest = Math.Max(largest, at - start);
        }

        return (count, largest);
    }

    private static void Add(List<byte> table, byte[] structure) => table.AddRange(structure);

    private static byte[] Structure(byte type, ushort handle, byte[] formatted, params string[] strings)
    {
        var s = new List<byte> { type, (byte)(4 + formatted.Length), (byte)handle, (byte)(handle >> 8) };
        s.AddRange(formatted);
        foreach (string text in strings)
        {
            s.AddRange(Encoding.ASCII.GetBytes(text));
            s.Add(0);
        }

        if (strings.Length == 0)
        {
            s.Add(0);
        }

        s.Add(0);
        return [.. s];
    }
}
