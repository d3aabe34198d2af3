using System.Buffers.Binary;
using System.Text;
using Emulator.Memory;

namespace Emulator.Platform;

/// <summary>
/// QEMU's fw_cfg on x86 ports: 0x510 selector (16-bit write), 0x511 data (byte reads advance
/// through the selected item, past its end read 0), and with guest memory the DMA interface at
/// 0x514 (big-endian address; writing the low half starts a transfer of a big-endian
/// FWCfgDmaAccess). Items are fixed before the guest runs; data-port writes are ignored as in QEMU.
/// The file directory (big-endian count, then size, select, reserved, 56-byte name) is sorted by name.
/// </summary>
public sealed class FwCfgDevice : IPortDevice
{
    public const ushort Port = 0x510;
    public const int MaxFileNameLength = 55;

    /// <summary>"QEMU CFG", what the DMA register reads as.</summary>
    public static ReadOnlySpan<byte> DmaSignature => "QEMU CFG"u8;

    private const int DmaOffset = 4;
    private const uint DmaError = 0x01;
    private const uint DmaRead = 0x02;
    private const uint DmaSkip = 0x04;
    private const uint DmaSelect = 0x08;
    private const uint DmaWrite = 0x10;

    private readonly Dictionary<ushort, byte[]> _items = [];
    private readonly SortedDictionary<string, byte[]> _files = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ushort> _fileKeys = [];
    private readonly GuestMemory? _memory;
    private ushort _selected;
    private uint _offset;
    private uint _dmaHigh;

    /// <param name="dmaMemory">Guest RAM for the DMA interface; null offers no DMA (ID bit 1 clear, 0x514 unclaimed).</param>
    public FwCfgDevice(GuestMemory? dmaMemory)
    {
        _memory = dmaMemory;
        _items[FwCfgKeys.Signature] = "QEMU"u8.ToArray();
        _items[FwCfgKeys.Id] = LittleEndian(dmaMemory is null ? 1u : 3u, 4);
        _items[FwCfgKeys.Uuid] = new byte[16];
        RebuildDirectory();
    }

    /// <summary>Ports to claim from <see cref="Port"/>: selector and data, plus the 8-byte DMA register when offered.</summary>
    public int PortCount => _memory is null ? 2 : DmaOffset + 8;

    public ushort SelectedKey => _selected;

    public void Register(IoPortBus ports) => ports.Register(new PortRange(Port, PortCount), this, "fw_cfg");

    /// <summary>Sets a numbered item (not a file, not the signature or ID).</summary>
    public void SetItem(ushort key, byte[] data)
    {
        ushort entry = (ushort)(key & ~FwCfgKeys.WriteChannel);
        if ((entry & ~FwCfgKeys.ArchLocal) >= FwCfgKeys.FileFirst || entry is FwCfgKeys.Signature or FwCfgKeys.Id or FwCfgKeys.FileDirectory)
        {
            throw new ArgumentOutOfRangeException(nameof(key), key, "not a settable fw_cfg item (files go through AddFile)");
        }

        _items[entry] = data;
    }

    public byte[]? Item(ushort key) => _items.GetValueOrDefault((ushort)(key & ~FwCfgKeys.WriteChannel));

    /// <summary>Adds a named file (e.g. "etc/e820"); selectors are reassigned so the directory stays sorted.</summary>
    public void AddFile(string name, byte[] data)
    {
        if (name.Length is 0 or > MaxFileNameLength || name.Any(c => c is < ' ' or > '~'))
        {
            throw new ArgumentException($"fw_cfg file names are 1-{MaxFileNameLength} printable ASCII characters: '{name}'", nameof(name));
        }

        if (!_files.TryAdd(name, data))
        {
            throw new ArgumentException($"fw_cfg file '{name}' already exists", nameof(name));
        }

        RebuildDirectory();
    }

    public ushort FileKey(string name) => _fileKeys[name];

    /// <summary>RAM size, CPU counts: what SeaBIOS and the Linux fw_cfg driver read first.</summary>
    public void SetMachine(ulong ramSize, ushort cpuCount, ushort maxCpus)
    {
        SetItem(FwCfgKeys.RamSize, LittleEndian(ramSize, 8));
        SetItem(FwCfgKeys.NbCpus, LittleEndian(cpuCount, 2));
        SetItem(FwCfgKeys.MaxCpus, LittleEndian(maxCpus, 2));
        SetItem(FwCfgKeys.NoGraphic, LittleEndian(0, 2));
    }

    public void SetKernel(uint loadAddress, byte[] kernel) =>
        SetBlob(FwCfgKeys.KernelAddress, FwCfgKeys.KernelSize, FwCfgKeys.KernelData, loadAddress, kernel);

    public void SetSetup(uint loadAddress, byte[] setup) =>
        SetBlob(FwCfgKeys.SetupAddress, FwCfgKeys.SetupSize, FwCfgKeys.SetupData, loadAddress, setup);

    public void SetInitrd(uint loadAddress, byte[] initrd) =>
        SetBlob(FwCfgKeys.InitrdAddress, FwCfgKeys.InitrdSize, FwCfgKeys.InitrdData, loadAddress, initrd);

    /// <summary>The command line with its NUL, as QEMU (CMDLINE_SIZE counts the terminator).</summary>
    public void SetCommandLine(uint loadAddress, string commandLine) =>
        SetBlob(FwCfgKeys.CommandLineAddress, FwCfgKeys.CommandLineSize, FwCfgKeys.CommandLineData, loadAddress,
            [.. Encoding.ASCII.GetBytes(commandLine), 0]);

    public uint Read(ushort offset, int size)
    {
        if (offset is 0 or 1 && size == 1)
        {
            return ReadDataByte();
        }

        if (_memory is not null && offset >= DmaOffset && offset + size <= DmaOffset + 8)
        {
            uint value = 0;
            for (int i = 0; i < size; i++)
            {
                value |= (uint)DmaSignature[offset - DmaOffset + i] << (8 * i);
            }

            return value;
        }

        return size >= 4 ? 0xFFFF_FFFF : (1u << (8 * size)) - 1;
    }

    public void Write(ushort offset, int size, uint value)
    {
        if (offset == 0 && size == 2)
        {
            Select((ushort)value);
        }
        else if (_memory is not null && size == 4 && offset == DmaOffset)
        {
            _dmaHigh = BinaryPrimitives.ReverseEndianness(value);
        }
        else if (_memory is not null && size == 4 && offset == DmaOffset + 4)
        {
            ulong address = ((ulong)_dmaHigh << 32) | BinaryPrimitives.ReverseEndianness(value);
            _dmaHigh = 0;
            RunDma(_memory, address);
        }
    }

    private void Select(ushort key)
    {
        _selected = (ushort)(key & ~FwCfgKeys.WriteChannel);
        _offset = 0;
    }

    private byte ReadDataByte()
    {
        if (_items.TryGetValue(_selected, out byte[]? data) && _offset < data.Length)
        {
            return data[_offset++];
        }

        return 0;
    }

    private void RunDma(GuestMemory memory, ulong accessAddress)
    {
        Span<byte> access = stackalloc byte[16];
        if (!memory.TryRead(accessAddress, access))
        {
            return; // nowhere to report the error
        }

        uint control = BinaryPrimitives.ReadUInt32BigEndian(access);
        uint length = BinaryPrimitives.ReadUInt32BigEndian(access[4..]);
        ulong address = BinaryPrimitives.ReadUInt64BigEndian(access[8..]);
        if ((control & DmaSelect) != 0)
        {
            Select((ushort)(control >> 16));
        }

        bool read = (control & DmaRead) != 0;
        bool write = !read && (control & DmaWrite) != 0;
        bool skip = !read && !write && (control & DmaSkip) != 0;
        bool error = false;
        if (read || write || skip)
        {
            error = !Transfer(memory, read, write, address, length);
        }

        Span<byte> status = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(status, error ? DmaError : 0);
        memory.TryWrite(accessAddress, status);
    }

    private bool Transfer(GuestMemory memory, bool read, bool write, ulong address, uint length)
    {
        if (write)
        {
            return false; // no writable items
        }

        byte[] data = _items.GetValueOrDefault(_selected) ?? [];
        uint available = _offset < data.Length ? (uint)data.Length - _offset : 0;
        uint fromItem = Math.Min(length, available);
        uint zeros = length - fromItem;
        if (read)
        {
            if (!memory.IsValidRange(address, length))
            {
                return false;
            }

            memory.Write(address, data.AsSpan((int)_offset, (int)fromItem));
            if (zeros > 0)
            {
                memory.Zero(address + fromItem, zeros);
            }
        }

        _offset += fromItem;
        return true;
    }

    private void SetBlob(ushort addressKey, ushort sizeKey, ushort dataKey, uint loadAddress, byte[] data)
    {
        SetItem(addressKey, LittleEndian(loadAddress, 4));
        SetItem(sizeKey, LittleEndian((ulong)data.Length, 4));
        SetItem(dataKey, data);
    }

    private void RebuildDirectory()
    {
        var directory = new byte[4 + (64 * _files.Count)];
        BinaryPrimitives.WriteUInt32BigEndian(directory, (uint)_files.Count);
        foreach (ushort stale in _fileKeys.Values)
        {
            _items.Remove(stale);
        }

        _fileKeys.Clear();
        int index = 0;
        foreach ((string name, byte[] data) in _files)
        {
            ushort key = (ushort)(FwCfgKeys.FileFirst + index);
            Span<byte> entry = directory.AsSpan(4 + (64 * index), 64);
            BinaryPrimitives.WriteUInt32BigEndian(entry, (uint)data.Length);
            BinaryPrimitives.WriteUInt16BigEndian(entry[4..], key);
            Encoding.ASCII.GetBytes(name, entry[8..]);
            _items[key] = data;
            _fileKeys[name] = key;
            index++;
        }

        _items[FwCfgKeys.FileDirectory] = directory;
    }

    private static byte[] LittleEndian(ulong value, int size)
    {
        var bytes = new byte[size];
        for (int i = 0; i < size; i++)
        {
            bytes[i] = (byte)(value >> (8 * i));
        }

        return bytes;
    }
}
