using System.Buffers.Binary;

namespace Emulator.Platform;

/// <summary>
/// One PCI function's 256-byte configuration space (type 0 header). Guest writes go through a
/// per-bit writable mask, so read-only fields stay put and a BAR reads back its size mask after
/// all-ones is written. Device models set up the space (<see cref="DefineBar"/>,
/// <see cref="AddCapability"/>, <see cref="SetWritable"/>) and may override
/// <see cref="OnConfigWritten"/> to react to BAR, command or capability writes.
/// </summary>
public class PciFunction
{
    public const int ConfigSize = 256;
    public const int BarCount = 6;
    public const int CommandOffset = 0x04;
    public const int StatusOffset = 0x06;
    public const int HeaderTypeOffset = 0x0E;
    public const int FirstBarOffset = 0x10;
    public const int CapabilityPointerOffset = 0x34;
    public const int InterruptLineOffset = 0x3C;
    public const int InterruptPinOffset = 0x3D;

    private const int FirstCapabilityOffset = 0x40;
    private const ushort StatusCapabilityList = 1 << 4;

    // I/O, memory, bus master, parity error response, SERR, INTx disable.
    private const ushort CommandWritable = 0x0547;

    private readonly byte[] _config = new byte[ConfigSize];
    private readonly byte[] _writable = new byte[ConfigSize];
    private readonly PciBarKind?[] _barKinds = new PciBarKind?[BarCount];
    private readonly ulong[] _barSizes = new ulong[BarCount];
    private int _nextCapability = FirstCapabilityOffset;
    private int _lastCapability;

    /// <param name="classCode">Base class, subclass and programming interface as 0xBBSSPP.</param>
    public PciFunction(ushort vendorId, ushort deviceId, uint classCode, byte revision = 0,
        ushort subsystemVendorId = 0x1AF4, ushort subsystemId = 0x1100)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(classCode, 0xFF_FFFFu);
        SetU16(0x00, vendorId);
        SetU16(0x02, deviceId);
        _config[0x08] = revision;
        _config[0x09] = (byte)classCode;
        _config[0x0A] = (byte)(classCode >> 8);
        _config[0x0B] = (byte)(classCode >> 16);
        SetU16(0x2C, subsystemVendorId);
        SetU16(0x2E, subsystemId);
        SetWritable(CommandOffset, 2, CommandWritable);
        SetWritable(0x0C, 2, 0xFFFF); // cache line size, latency timer
        SetWritable(InterruptLineOffset, 1, 0xFF);
    }

    public ushort VendorId => BinaryPrimitives.ReadUInt16LittleEndian(_config);

    public ushort DeviceId => BinaryPrimitives.ReadUInt16LittleEndian(_config.AsSpan(2));

    public ushort Command => BinaryPrimitives.ReadUInt16LittleEndian(_config.AsSpan(CommandOffset));

    /// <summary>The interrupt pin: 0 none, 1-4 INTA-INTD.</summary>
    public byte InterruptPin => _config[InterruptPinOffset];

    /// <summary>Header type bit 7: the device has functions besides 0 (only meaningful on function 0).</summary>
    public bool MultiFunction
    {
        get => (_config[HeaderTypeOffset] & 0x80) != 0;
        set => _config[HeaderTypeOffset] = (byte)((_config[HeaderTypeOffset] & 0x7F) | (value ? 0x80 : 0));
    }

    /// <summary>Marks <paramref name="mask"/>'s bits of the <paramref name="size"/>-byte field at <paramref name="offset"/> guest-writable.</summary>
    public void SetWritable(int offset, int size, uint mask)
    {
        CheckField(offset, size);
        for (int i = 0; i < size; i++)
        {
            _writable[offset + i] = (byte)(mask >> (8 * i));
        }
    }

    /// <summary>Sets a field as the device model (no mask), e.g. a status register the device updates.</summary>
    public void SetConfig(int offset, int size, uint value)
    {
        CheckField(offset, size);
        for (int i = 0; i < size; i++)
        {
            _config[offset + i] = (byte)(value >> (8 * i));
        }
    }

    public void SetInterruptPin(int pin)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(pin);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pin, 4);
        _config[InterruptPinOffset] = (byte)pin;
    }

    /// <summary>
    /// Declares BAR <paramref name="index"/> of <paramref name="size"/> bytes (a power of two: at
    /// least 4 for I/O, 16 for memory). A 64-bit BAR takes the next index as its upper half.
    /// </summary>
    public void DefineBar(int index, PciBarKind kind, ulong size)
    {
        bool wide = kind is PciBarKind.Memory64 or PciBarKind.Memory64Prefetchable;
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(index, wide ? BarCount - 2 : BarCount - 1);
        ulong minimum = kind == PciBarKind.Io ? 4UL : 16UL;
        if (size < minimum || !ulong.IsPow2(size) || (kind == PciBarKind.Io && size > 256) || (!wide && size > 1UL << 31))
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, $"not a valid size for a {kind} BAR");
        }

        if (_barKinds[index] is not null || (wide && _barKinds[index + 1] is not null))
        {
            throw new InvalidOperationException($"BAR {index} is already defined");
        }

        _barKinds[index] = kind;
        _barSizes[index] = size;
        uint typeBits = kind switch
        {
            PciBarKind.Io => 0x1,
            PciBarKind.Memory32 => 0x0,
            PciBarKind.Memory64 => 0x4,
            _ => 0xC,
        };
        ulong addressMask = ~(size - 1) & (kind == PciBarKind.Io ? ~3UL : ~0xFUL);
        int offset = FirstBarOffset + (4 * index);
        SetConfig(offset, 4, typeBits);
        SetWritable(offset, 4, (uint)addressMask);
        if (wide)
        {
            _barKinds[index + 1] = kind;
            SetConfig(offset + 4, 4, 0);
            SetWritable(offset + 4, 4, (uint)(addressMask >> 32));
        }
    }

    public PciBarKind? BarKind(int index) => _barKinds[index];

    public ulong BarSize(int index) => _barSizes[index];

    /// <summary>The address BAR <paramref name="index"/> holds now (type bits stripped; 64-bit BARs joined).</summary>
    public ulong BarAddress(int index)
    {
        PciBarKind kind = _barKinds[index] ?? throw new InvalidOperationException($"BAR {index} is not defined");
        int offset = FirstBarOffset + (4 * index);
        ulong low = BinaryPrimitives.ReadUInt32LittleEndian(_config.AsSpan(offset));
        return kind switch
        {
            PciBarKind.Io => low & ~3UL,
            PciBarKind.Memory32 => low & ~0xFUL,
            _ => (low & ~0xFUL) | ((ulong)BinaryPrimitives.ReadUInt32LittleEndian(_config.AsSpan(offset + 4)) << 32),
        };
    }

    /// <summary>Places BAR <paramref name="index"/> (the emulator assigns BARs before boot, there is no firmware to).</summary>
    public void SetBarAddress(int index, ulong address)
    {
        PciBarKind kind = _barKinds[index] ?? throw new InvalidOperationException($"BAR {index} is not defined");
        if ((address & (_barSizes[index] - 1)) != 0)
        {
            throw new ArgumentException($"BAR {index} address 0x{address:x} is not aligned to its size 0x{_barSizes[index]:x}", nameof(address));
        }

        int offset = FirstBarOffset + (4 * index);
        uint typeBits = _config[offset] & (kind == PciBarKind.Io ? 0x3u : 0xFu);
        SetConfig(offset, 4, (uint)address | typeBits);
        if (kind is PciBarKind.Memory64 or PciBarKind.Memory64Prefetchable)
        {
            SetConfig(offset + 4, 4, (uint)(address >> 32));
        }
        else if (address > uint.MaxValue)
        {
            throw new ArgumentException($"BAR {index} is 32-bit; 0x{address:x} does not fit", nameof(address));
        }
    }

    /// <summary>
    /// Appends a capability (id, next pointer, then <paramref name="body"/>) to the list and returns
    /// its offset; <paramref name="writableMask"/> (same length as body, optional) marks guest-writable bits.
    /// </summary>
    public int AddCapability(byte id, ReadOnlySpan<byte> body, ReadOnlySpan<byte> writableMask = default)
    {
        if (!writableMask.IsEmpty && writableMask.Length != body.Length)
        {
            throw new ArgumentException("the writable mask must cover the capability body", nameof(writableMask));
        }

        int offset = _nextCapability;
        int end = offset + 2 + body.Length;
        if (end > ConfigSize)
        {
            throw new InvalidOperationException($"capability 0x{id:x2} does not fit in configuration space");
        }

        _config[offset] = id;
        _config[offset + 1] = 0;
        body.CopyTo(_config.AsSpan(offset + 2));
        writableMask.CopyTo(_writable.AsSpan(offset + 2));
        if (_lastCapability == 0)
        {
            _config[CapabilityPointerOffset] = (byte)offset;
            SetU16(StatusOffset, (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(_config.AsSpan(StatusOffset)) | StatusCapabilityList));
        }
        else
        {
            _config[_lastCapability + 1] = (byte)offset;
        }

        _lastCapability = offset;
        _nextCapability = (end + 3) & ~3;
        return offset;
    }

    /// <summary>A guest read: bytes past the end of the space read all ones.</summary>
    public uint ReadConfig(int offset, int size)
    {
        uint value = 0;
        for (int i = 0; i < size; i++)
        {
            int at = offset + i;
            uint b = at is >= 0 and < ConfigSize ? _config[at] : 0xFFu;
            value |= b << (8 * i);
        }

        return value;
    }

    /// <summary>A guest write: only writable bits change; bytes past the end are dropped.</summary>
    public void WriteConfig(int offset, int size, uint value)
    {
        for (int i = 0; i < size; i++)
        {
            int at = offset + i;
            if (at is >= 0 and < ConfigSize)
            {
                byte mask = _writable[at];
                _config[at] = (byte)((_config[at] & ~mask) | ((byte)(value >> (8 * i)) & mask));
            }
        }

        OnConfigWritten(offset, size);
    }

    /// <summary>Called after every guest write, for device models that react to their configuration.</summary>
    protected virtual void OnConfigWritten(int offset, int size)
    {
    }

    private void SetU16(int offset, ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(_config.AsSpan(offset), value);

    private static void CheckField(int offset, int size)
    {
        if (size is not (1 or 2 or 4) || offset < 0 || offset + size > ConfigSize)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"field {offset}+{size} is outside configuration space");
        }
    }
}
