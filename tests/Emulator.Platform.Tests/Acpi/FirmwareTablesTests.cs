using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;

namespace Emulator.Platform.Tests;

public sealed class FirmwareTablesTests
{
    private static readonly PcFirmwareConfig TwoCpus = new() { CpuCount = 2 };

    private static byte[] TableAt(PcFirmwareTables tables, string key)
    {
        int offset = (int)(tables.Addresses[key] - tables.BaseAddress);
        int length = BinaryPrimitives.ReadInt32LittleEndian(tables.Image.AsSpan(offset + 4));
        return tables.Image.AsSpan(offset, length).ToArray();
    }

    [Fact]
    public void RsdpIsInTheScannedAreaWithBothChecksumsAndPointsAtRsdtAndXsdt()
    {
        PcFirmwareTables tables = PcFirmwareTables.Build(TwoCpus);
        Assert.InRange(tables.RsdpAddress, 0xE_0000u, 0xF_FFFFu);
        Assert.Equal(0u, tables.RsdpAddress % 16);
        ReadOnlySpan<byte> rsdp = tables.Image.AsSpan((int)(tables.RsdpAddress - tables.BaseAddress), Rsdp.Length);
        Assert.Equal("RSD PTR ", Encoding.ASCII.GetString(rsdp[..8]));
        Assert.True(AcpiTable.ChecksumIsValid(rsdp[..20]));
        Assert.True(AcpiTable.ChecksumIsValid(rsdp));
        Assert.Equal(2, rsdp[15]);
        Assert.Equal(tables.Addresses["RSDT"], BinaryPrimitives.ReadUInt32LittleEndian(rsdp[16..]));
        Assert.Equal(tables.Addresses["XSDT"], BinaryPrimitives.ReadUInt64LittleEndian(rsdp[24..]));
        Assert.True(tables.Image.Length <= 0x1_0000);
    }

    [Theory]
    [InlineData("DSDT")]
    [InlineData("FACP")]
    [InlineData("APIC")]
    [InlineData("HPET")]
    [InlineData("RSDT")]
    [InlineData("XSDT")]
    public void EveryTableHasAValidChecksumAndDisassemblesWithIasl(string signature)
    {
        byte[] table = TableAt(PcFirmwareTables.Build(TwoCpus), signature);
        Assert.Equal(signature, Encoding.ASCII.GetString(table, 0, 4));
        Assert.True(AcpiTable.ChecksumIsValid(table));
        string dsl = Iasl.Disassemble(table, signature.ToLowerInvariant());
        Assert.Contains(signature == "DSDT" ? "DefinitionBlock (\"\", \"DSDT\", 2," : $"Signature : \"{signature}\"", dsl, StringComparison.Ordinal);
    }

    [Fact]
    public void RootTablesListFadtMadtAndHpet()
    {
        PcFirmwareTables tables = PcFirmwareTables.Build(TwoCpus);
        byte[] rsdt = TableAt(tables, "RSDT");
        byte[] xsdt = TableAt(tables, "XSDT");
        uint[] expected = [tables.Addresses["FACP"], tables.Addresses["APIC"], tables.Addresses["HPET"]];
        Assert.Equal(expected, Enumerable.Range(0, 3).Select(i => BinaryPrimitives.ReadUInt32LittleEndian(rsdt.AsSpan(36 + (4 * i)))));
        Assert.Equal(expected.Select(a => (ulong)a), Enumerable.Range(0, 3).Select(i => BinaryPrimitives.ReadUInt64LittleEndian(xsdt.AsSpan(36 + (8 * i)))));
    }

    [Fact]
    public void FadtDescribesThePmBlockResetRegisterAndPointers()
    {
        PcFirmwareTables tables = PcFirmwareTables.Build(TwoCpus);
        byte[] f = TableAt(tables, "FACP");
        Assert.Equal(Fadt.Length, f.Length);
        Assert.Equal(5, f[8]);
        Assert.Equal(tables.Addresses["FACS"], BinaryPrimitives.ReadUInt32LittleEndian(f.AsSpan(36)));
        Assert.Equal(0ul, BinaryPrimitives.ReadUInt64LittleEndian(f.AsSpan(132))); // X_FIRMWARE_CTRL: one FACS pointer only
        Assert.Equal(tables.Addresses["DSDT"], BinaryPrimitives.ReadUInt32LittleEndian(f.AsSpan(40)));
        Assert.Equal(9, BinaryPrimitives.ReadUInt16LittleEndian(f.AsSpan(46)));
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32LittleEndian(f.AsSpan(48))); // no SMI_CMD: already in ACPI mode
        Assert.Equal(0x600u, BinaryPrimitives.ReadUInt32LittleEndian(f.AsSpan(56)));
        Assert.Equal(0x604u, BinaryPrimitives.ReadUInt32LittleEndian(f.AsSpan(64)));
        Assert.Equal(0x608u, BinaryPrimitives.ReadUInt32LittleEndian(f.AsSpan(76)));
        Assert.Equal([4, 2, 0, 4], f[88..92]);
        Assert.Equal(3, BinaryPrimitives.ReadUInt16LittleEndian(f.AsSpan(109)));
        uint flags = BinaryPrimitives.ReadUInt32LittleEndian(f.AsSpan(112));
        Assert.NotEqual(0u, flags & Fadt.FlagResetRegisterSupported);
        Assert.Equal(0u, flags & (1 << 8)); // TMR_VAL_EXT clear: the PM timer is 24 bits
        Assert.Equal(1, f[116]); // reset register in system I/O
        Assert.Equal(0xCF9UL, BinaryPrimitives.ReadUInt64LittleEndian(f.AsSpan(120)));
        Assert.Equal(6, f[128]);
        Assert.Equal(tables.Addresses["DSDT"], BinaryPrimitives.ReadUInt64LittleEndian(f.AsSpan(140)));
        Assert.Equal(0x600UL, BinaryPrimitives.ReadUInt64LittleEndian(f.AsSpan(152)));
        Assert.Equal(0x604UL, BinaryPrimitives.ReadUInt64LittleEndian(f.AsSpan(176)));
        Assert.Equal(0x608UL, BinaryPrimitives.ReadUInt64LittleEndian(f.AsSpan(212)));
        Assert.Equal(0u, tables.Addresses["FACS"] % 64);
        string dsl = Iasl.Disassemble(f, "facp");
        Assert.Contains("PM Timer Block Address : 00000608", dsl, StringComparison.Ordinal);
        Assert.Contains("SCI Interrupt : 0009", dsl, StringComparison.Ordinal);
    }

    [Fact]
    public void MadtHasCpusIoApicOverridesAndNmi()
    {
        byte[] m = TableAt(PcFirmwareTables.Build(TwoCpus with { IoApicId = 2 }), "APIC");
        Assert.Equal(0xFEE0_0000u, BinaryPrimitives.ReadUInt32LittleEndian(m.AsSpan(36)));
        var entries = new List<byte[]>();
        for (int at = 44; at < m.Length; at += m[at + 1])
        {
            entries.Add(m[at..(at + m[at + 1])]);
        }

        Assert.Equal(2, entries.Count(e => e[0] == 0));
        Assert.Equal([0, 8, 1, 1, 1, 0, 0, 0], entries.Where(e => e[0] == 0).Last());
        byte[] ioapic = Assert.Single(entries, e => e[0] == 1);
        Assert.Equal(2, ioapic[2]);
        Assert.Equal(0xFEC0_0000u, BinaryPrimitives.ReadUInt32LittleEndian(ioapic.AsSpan(4)));
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32LittleEndian(ioapic.AsSpan(8)));
        var overrides = entries.Where(e => e[0] == 2)
            .ToDictionary(e => e[3], e => (Gsi: BinaryPrimitives.ReadUInt32LittleEndian(e.AsSpan(4)), Flags: BinaryPrimitives.ReadUInt16LittleEndian(e.AsSpan(8))));
        Assert.Equal((2u, (ushort)0), overrides[0]);
        foreach (byte irq in new byte[] { 5, 9, 10, 11 })
        {
            Assert.Equal((irq, (ushort)0x0D), overrides[irq]);
        }

        Assert.Equal([4, 6, 0xFF, 0, 0, 1], Assert.Single(entries, e => e[0] == 4));
        string dsl = Iasl.Disassemble(m, "apic");
        Assert.Contains("Interrupt Source Override", dsl, StringComparison.Ordinal);
    }

    [Fact]
    public void HpetTableMatchesTheDeviceBlock()
    {
        byte[] h = TableAt(PcFirmwareTables.Build(TwoCpus), "HPET");
        Assert.Equal(56, h.Length);
        Assert.Equal(0x8086_A201u, BinaryPrimitives.ReadUInt32LittleEndian(h.AsSpan(36)));
        Assert.Equal(0, h[40]);
        Assert.Equal(0xFED0_0000UL, BinaryPrimitives.ReadUInt64LittleEndian(h.AsSpan(44)));
    }

    [Fact]
    public void FacsIsAlignedWithSignatureAndLength()
    {
        PcFirmwareTables tables = PcFirmwareTables.Build(TwoCpus);
        byte[] facs = tables.Image.AsSpan((int)(tables.Addresses["FACS"] - tables.BaseAddress), 64).ToArray();
        Assert.Equal("FACS"u8.ToArray(), facs[..4]);
        Assert.Equal(64u, BinaryPrimitives.ReadUInt32LittleEndian(facs.AsSpan(4)));
    }

    [Fact]
    public void DsdtHasS5ThePciRootAndADirectPrt()
    {
        PcFirmwareTables tables = PcFirmwareTables.Build(TwoCpus);
        string dsl = Iasl.Disassemble(TableAt(tables, "DSDT"), "dsdt");
        string compact = string.Join(' ', Regex.Replace(dsl, "//[^\n]*", "").Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("Name (\\_S5, Package (0x04) { 0x05, 0x05, Zero, Zero })", compact, StringComparison.Ordinal);
        Assert.Contains("Scope (\\_SB) { Device (PCI0) { Name (_HID, EisaId (\"PNP0A03\") /* PCI Bus */)", compact, StringComparison.Ordinal);
        Assert.Contains("Name (_UID, Zero)", compact, StringComparison.Ordinal);
        Assert.Contains("Name (_ADR, Zero)", compact, StringComparison.Ordinal);
        Assert.Contains("WordBusNumber (ResourceProducer, MinFixed, MaxFixed, PosDecode, 0x0000, 0x0000, 0x00FF, 0x0000, 0x0100,", compact, StringComparison.Ordinal);
        Assert.Contains("IO (Decode16, 0x0CF8, 0x0CF8, 0x01, 0x08, ) WordIO (ResourceProducer, MinFixed, MaxFixed, PosDecode, EntireRange, 0x0000, 0x0000, 0x0CF7, 0x0000, 0x0CF8,", compact, StringComparison.Ordinal);
        Assert.Contains("0x0000, 0x0D00, 0xFFFF, 0x0000, 0xF300,", compact, StringComparison.Ordinal);
        Assert.Contains("NonCacheable, ReadWrite, 0x00000000, 0xE0000000, 0xFEBFFFFF, 0x00000000, 0x1EC00000,", compact, StringComparison.Ordinal);
        Assert.Contains("Name (_PRT, Package (0x80) { Package (0x04) { 0xFFFF, Zero, Zero, 0x10 },", compact, StringComparison.Ordinal);
        Assert.Contains("Package (0x04) { 0x0003FFFF, 0x02, Zero, 0x15 }", compact, StringComparison.Ordinal); // slot 3 INTC -> GSI 21
        Assert.Contains("Package (0x04) { 0x001FFFFF, 0x03, Zero, 0x12 }", compact, StringComparison.Ordinal); // slot 31 INTD -> GSI 18
    }

    [Fact]
    public void DsdtDeclaresTheIsaDevicesBehindThePiix3()
    {
        string dsl = Iasl.Disassemble(TableAt(PcFirmwareTables.Build(TwoCpus), "DSDT"), "dsdt");
        string compact = string.Join(' ', Regex.Replace(dsl, "//[^\n]*", "").Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("Device (ISA) { Name (_ADR, 0x00010000) Device (RTC) { Name (_HID, EisaId (\"PNP0B00\") /* AT Real-Time Clock */) Name (_CRS, ResourceTemplate () { IO (Decode16, 0x0070, 0x0070, 0x01, 0x02, ) IRQNoFlags () {8} })", compact, StringComparison.Ordinal);
        Assert.Contains("Device (KBD) { Name (_HID, EisaId (\"PNP0303\") /* IBM Enhanced Keyboard (101/102-key, PS/2 Mouse) */) Name (_CRS, ResourceTemplate () { IO (Decode16, 0x0060, 0x0060, 0x01, 0x01, ) IO (Decode16, 0x0064, 0x0064, 0x01, 0x01, ) IRQNoFlags () {1} })", compact, StringComparison.Ordinal);
        Assert.Contains("Device (COM1) { Name (_HID, EisaId (\"PNP0501\") /* 16550A-compatible COM Serial Port */) Name (_UID, One) Name (_STA, 0x0F) Name (_CRS, ResourceTemplate () { IO (Decode16, 0x03F8, 0x03F8, 0x00, 0x08, ) IRQNoFlags () {4} })", compact, StringComparison.Ordinal);
        Assert.Contains("Device (COM2) { Name (_HID, EisaId (\"PNP0501\") /* 16550A-compatible COM Serial Port */) Name (_UID, 0x02) Name (_STA, 0x0F) Name (_CRS, ResourceTemplate () { IO (Decode16, 0x02F8, 0x02F8, 0x00, 0x08, ) IRQNoFlags () {3} })", compact, StringComparison.Ordinal);
        Assert.DoesNotContain("PNP0F13", compact, StringComparison.Ordinal); // no AUX port, no mouse
    }

    [Fact]
    public void SmbiosEntryPointIsFoundByLinuxsScanAndNamesTheSystem()
    {
        PcFirmwareTables tables = PcFirmwareTables.Build(TwoCpus);
        uint entry = tables.Addresses["_SM_"];
        Assert.InRange(entry, 0xF_0000u, 0xF_FFE0u);
        Assert.Equal(0u, entry % 16);
        byte[] e = tables.Image.AsSpan((int)(entry - tables.BaseAddress), Smbios.EntryPointLength).ToArray();
        Assert.Equal("_SM_"u8.ToArray(), e[..4]);
        Assert.Equal(0x1F, e[5]);
        Assert.True(AcpiTable.ChecksumIsValid(e));
        Assert.Equal("_DMI_"u8.ToArray(), e[0x10..0x15]); // Linux checks the second paragraph separately
        Assert.True(AcpiTable.ChecksumIsValid(e.AsSpan(0x10, 0x0F)));
        Assert.Equal((2, 8), (e[6], e[7]));
        uint tableAddress = BinaryPrimitives.ReadUInt32LittleEndian(e.AsSpan(0x18));
        int length = BinaryPrimitives.ReadUInt16LittleEndian(e.AsSpan(0x16));
        Assert.Equal(tables.Addresses["SMBIOS"], tableAddress);
        byte[] table = tables.Image.AsSpan((int)(tableAddress - tables.BaseAddress), length).ToArray();

        // Walk the structures as dmi_decode does: formatted area, then strings up to a double NUL.
        var found = new Dictionary<byte, List<string>>();
        int at = 0;
        int largest = 0;
        while (at < table.Length)
        {
            int start = at;
            byte type = table[at];
            at += table[at + 1];
            int end = at;
            while (table[end] != 0 || table[end + 1] != 0)
            {
                end++;
            }

            found[type] = [.. Encoding.ASCII.GetString(table, at, end - at).Split('\0', StringSplitOptions.RemoveEmptyEntries)];
            at = end + 2;
            largest = Math.Max(largest, at - start);
        }

        Assert.Equal(length, at);
        Assert.Equal(new byte[] { 0, 1, 32, 127 }, found.Keys.Order());
        Assert.Equal(found.Count, BinaryPrimitives.ReadUInt16LittleEndian(e.AsSpan(0x1C)));
        Assert.Equal(largest, BinaryPrimitives.ReadUInt16LittleEndian(e.AsSpan(8)));
        Assert.Equal([Smbios.Manufacturer, Smbios.ProductName], found[1]);
        Assert.Equal([Smbios.Manufacturer, Smbios.BiosVersion, Smbios.BiosDate], found[0]);
        Assert.Empty(found[127]);
        Assert.EndsWith("/2014", Smbios.BiosDate, StringComparison.Ordinal); // Linux's BIOS-year quirks as under QEMU
    }

    [Fact]
    public void VirtioMmioTransportsAreDeclaredAsQemuMicrovmDoes()
    {
        PcFirmwareConfig config = TwoCpus with { VirtioMmioDevices = [new(0xFEB0_0000, 0x200, 16), new(0xFEB0_0200, 0x200, 17)] };
        string dsl = Iasl.Disassemble(TableAt(PcFirmwareTables.Build(config), "DSDT"), "dsdt");
        string compact = string.Join(' ', Regex.Replace(dsl, "//[^\\n]*", "").Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("Device (VR01) { Name (_HID, \"LNRO0005\") Name (_UID, One)", compact, StringComparison.Ordinal);
        Assert.Contains("Memory32Fixed (ReadWrite, 0xFEB00200, 0x00000200, )", compact, StringComparison.Ordinal);
        Assert.Contains("Interrupt (ResourceConsumer, Level, ActiveHigh, Exclusive, ,, ) { 0x00000011, }", compact, StringComparison.Ordinal);
    }

    [Fact]
    public void MpTableHasValidChecksumsProcessorsAndInterrupts()
    {
        PcFirmwareTables tables = PcFirmwareTables.Build(TwoCpus);
        uint pointerAddress = tables.Addresses["_MP_"];
        Assert.InRange(pointerAddress, 0xF_0000u, 0xF_FFFFu);
        byte[] pointer = tables.Image.AsSpan((int)(pointerAddress - tables.BaseAddress), 16).ToArray();
        Assert.Equal("_MP_"u8.ToArray(), pointer[..4]);
        Assert.True(AcpiTable.ChecksumIsValid(pointer));
        uint config = BinaryPrimitives.ReadUInt32LittleEndian(pointer.AsSpan(4));
        Assert.Equal(tables.Addresses["PCMP"], config);
        int offset = (int)(config - tables.BaseAddress);
        int length = BinaryPrimitives.ReadUInt16LittleEndian(tables.Image.AsSpan(offset + 4));
        byte[] t = tables.Image.AsSpan(offset, length).ToArray();
        Assert.Equal("PCMP"u8.ToArray(), t[..4]);
        Assert.True(AcpiTable.ChecksumIsValid(t));
        int count = BinaryPrimitives.ReadUInt16LittleEndian(t.AsSpan(34));
        var types = new List<byte[]>();
        int at = 44;
        for (int i = 0; i < count; i++)
        {
            int size = t[at] == 0 ? 20 : 8;
            types.Add(t[at..(at + size)]);
            at += size;
        }

        Assert.Equal(length, at);
        Assert.Equal(2, types.Count(e => e[0] == 0));
        Assert.Equal(3, types.First(e => e[0] == 0)[3]); // the BSP
        Assert.Equal(2, types.Count(e => e[0] == 1));
        Assert.Equal(0x20, Assert.Single(types, e => e[0] == 2)[2]); // the IOAPIC's version, as its register says
        Assert.Contains(types, e => e is [3, 0, 0, 0, MpTable.IsaBusId, 0, 0, 2]);
        Assert.Contains(types, e => e is [3, 0, 0x0F, 0, MpTable.PciBusId, (3 << 2) | 2, 0, 21]);
        Assert.Contains(types, e => e is [4, 1, 0, 0, _, 0, 0xFF, 1]);
    }

    [Fact]
    public void TablesLandInGuestRamWhereLinuxScans()
    {
        using var memory = Emulator.Memory.GuestMemory.Create((0, 0x20_0000));
        PcFirmwareTables tables = PcFirmwareTables.Build(TwoCpus);
        tables.WriteTo(memory);
        var signature = new byte[8];
        memory.Read(0xF_0000, signature);
        Assert.Equal("RSD PTR "u8.ToArray(), signature);
        Assert.Equal(0xF_0000u, tables.RsdpAddress);
    }

    [Fact]
    public void MisalignedOrTooManyCpusAreRejected()
    {
        Assert.Throws<ArgumentException>(() => PcFirmwareTables.Build(new PcFirmwareConfig { TablesAddress = 0xF_0010 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => PcFirmwareTables.Build(new PcFirmwareConfig { CpuCount = 0 }));
        Assert.Throws<ArgumentException>(() => PcFirmwareTables.Build(new PcFirmwareConfig { TablesMaxSize = 256 }));
    }
}
