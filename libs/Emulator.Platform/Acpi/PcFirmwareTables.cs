using Emulator.Memory;

namespace Emulator.Platform;

/// <summary>
/// All firmware tables of the <c>pc</c> machine laid out as one image for guest RAM at
/// <see cref="PcFirmwareConfig.TablesAddress"/> (0xF0000 by default): the RSDP first (16-byte
/// aligned, inside 0xE0000-0xFFFFF where Linux scans), the MP floating pointer and the SMBIOS entry
/// point after it, then FACS (64-byte aligned), DSDT, FADT, MADT, HPET, RSDT, XSDT, the MP
/// configuration table and the SMBIOS structure table.
/// </summary>
public sealed class PcFirmwareTables
{
    private PcFirmwareTables(uint baseAddress, byte[] image, IReadOnlyDictionary<string, uint> addresses)
    {
        BaseAddress = baseAddress;
        Image = image;
        Addresses = addresses;
    }

    public uint BaseAddress { get; }

    /// <summary>The bytes to copy to guest RAM at <see cref="BaseAddress"/>.</summary>
    public byte[] Image { get; }

    /// <summary>Guest addresses by signature ("RSDP", "_MP_", "PCMP", "FACS", "DSDT", "FACP", "APIC", "HPET", "RSDT", "XSDT", "_SM_", "SMBIOS").</summary>
    public IReadOnlyDictionary<string, uint> Addresses { get; }

    /// <summary>For boot_params.acpi_rsdp_addr.</summary>
    public uint RsdpAddress => Addresses["RSDP"];

    /// <summary>Copies the tables into guest RAM (the machine does this before the first instruction).</summary>
    public void WriteTo(GuestMemory memory) => memory.Write(BaseAddress, Image);

    public static PcFirmwareTables Build(PcFirmwareConfig config)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(config.CpuCount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(config.CpuCount, 254); // xAPIC ids; 0xFF is the broadcast id
        if (config.TablesAddress % 64 != 0)
        {
            throw new ArgumentException($"the firmware tables' base 0x{config.TablesAddress:x} is not 64-byte aligned", nameof(config));
        }

        var image = new List<byte>();
        var addresses = new Dictionary<string, uint>();
        uint At() => config.TablesAddress + (uint)image.Count;
        void Align(int alignment)
        {
            while (image.Count % alignment != 0)
            {
                image.Add(0);
            }
        }

        uint Place(string key, byte[] bytes, int alignment)
        {
            Align(alignment);
            uint address = At();
            addresses[key] = address;
            image.AddRange(bytes);
            return address;
        }

        // Addresses of later tables must be known first: reserve the fixed-size pointers, fill them in at the end.
        Place("RSDP", new byte[Rsdp.Length], 16);
        Place("_MP_", new byte[MpTable.FloatingPointerLength], 16);
        Place("_SM_", new byte[Smbios.EntryPointLength], 16);
        uint facs = Place("FACS", Facs.Build(), 64);
        uint dsdt = Place("DSDT", PcDsdt.Build(config), 16);
        uint fadt = Place("FACP", Fadt.Build(facs, dsdt), 16);
        uint madt = Place("APIC", Madt.Build(config), 16);
        uint hpet = Place("HPET", HpetTable.Build(config), 16);
        uint rsdt = Place("RSDT", RootTables.BuildRsdt([fadt, madt, hpet]), 16);
        uint xsdt = Place("XSDT", RootTables.BuildXsdt([fadt, madt, hpet]), 16);
        uint mpc = Place("PCMP", MpTable.BuildConfigTable(config), 16);
        byte[] smbios = Smbios.BuildStructures();
        uint smbiosTable = Place("SMBIOS", smbios, 16);
        Align(16);
        byte[] bytes = [.. image];
        Rsdp.Build(rsdt, xsdt).CopyTo(bytes, (int)(addresses["RSDP"] - config.TablesAddress));
        MpTable.BuildFloatingPointer(mpc).CopyTo(bytes, (int)(addresses["_MP_"] - config.TablesAddress));
        Smbios.BuildEntryPoint(smbios, smbiosTable).CopyTo(bytes, (int)(addresses["_SM_"] - config.TablesAddress));
        if (bytes.Length > config.TablesMaxSize)
        {
            throw new ArgumentException($"the firmware tables need {bytes.Length} bytes, more than the {config.TablesMaxSize} reserved", nameof(config));
        }

        return new PcFirmwareTables(config.TablesAddress, bytes, addresses);
    }
}
