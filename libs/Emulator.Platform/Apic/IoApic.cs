using System.Buffers.Binary;

namespace Emulator.Platform;

/// <summary>
/// The I/O APIC as QEMU's ioapic.c (its default version 0x20, 24 pins): IOREGSEL at 0x00, IOWIN at 0x10,
/// the EOI register at 0x40 (version 0x20 and up; Linux uses it instead of toggling the trigger mode),
/// redirection entries with vector, delivery and destination mode, trigger mode, mask and remote
/// IRR. Inputs are <see cref="IInterruptLine"/> pins carrying the asserted level (polarity is
/// recorded but, as in QEMU, lines are modelled active high). Messages go out on an
/// <see cref="ApicBus"/>; <see cref="EndOfInterrupt"/> takes the LAPICs' level-triggered EOI broadcast.
/// vCPU thread only.
/// </summary>
public sealed class IoApic : IMmioDevice
{
    public const int PinCount = 24;

    /// <summary>Default physical base.</summary>
    public const ulong DefaultBase = 0xFEC0_0000;

    public const ulong PageSize = 0x1000;

    /// <summary>Version 0x20 (QEMU's default: it has the EOI register), maximum redirection entry 23.</summary>
    public const uint VersionValue = ((PinCount - 1u) << 16) | 0x20;

    /// <summary>Writing a vector here clears the remote IRR of the level-triggered entries with that vector.</summary>
    public const ulong EoiRegisterOffset = 0x40;

    private const ulong Masked = 1UL << 16;
    private const ulong RemoteIrr = 1UL << 14;
    private const ulong LevelTrigger = 1UL << 15;

    // Writable: vector, delivery mode, destination mode, polarity, trigger, mask, destination.
    private const ulong WritableBits = 0xFF00_0000_0001_AFFFUL;

    private readonly ApicBus _bus;
    private readonly ulong[] _entries = new ulong[PinCount];
    private readonly InterruptPin[] _pins = new InterruptPin[PinCount];
    private uint _irr;
    private byte _select;
    private uint _id;

    public IoApic(ApicBus bus)
    {
        ArgumentNullException.ThrowIfNull(bus);
        _bus = bus;
        for (int i = 0; i < PinCount; i++)
        {
            int pin = i;
            _pins[i] = new InterruptPin(level => SetInput(pin, level));
        }

        Reset();
    }

    /// <summary>The input pins (GSI 0-23): ISA IRQs by the MADT's overrides, PCI INTx from 16 up.</summary>
    public IReadOnlyList<InterruptPin> Pins => _pins;

    /// <summary>A redirection entry as the guest programmed it (for tests and <c>info pic</c>).</summary>
    public ulong Entry(int pin) => _entries[pin];

    public void Reset()
    {
        Array.Fill(_entries, Masked);
        _irr = 0;
        _select = 0;
        _id = 0;
    }

    public void Read(ulong offset, Span<byte> destination)
    {
        uint value = offset switch
        {
            < 4 => _select,
            >= 0x10 and < 0x14 => ReadRegister(),
            _ => 0,
        };
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        int start = (int)(offset & 3);
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = start + i < 4 ? bytes[start + i] : (byte)0;
        }
    }

    public void Write(ulong offset, ReadOnlySpan<byte> source)
    {
        if (source.IsEmpty)
        {
            return;
        }

        if (offset == 0)
        {
            _select = source[0];
        }
        else if (offset == 0x10 && source.Length == 4)
        {
            WriteRegister(BinaryPrimitives.ReadUInt32LittleEndian(source));
        }
        else if (offset == EoiRegisterOffset)
        {
            EndOfInterrupt(source[0]);
        }
    }

    /// <summary>A LAPIC's EOI for a level-triggered <paramref name="vector"/>: clears remote IRR, re-delivers a still-asserted line.</summary>
    public void EndOfInterrupt(byte vector)
    {
        for (int pin = 0; pin < PinCount; pin++)
        {
            ulong entry = _entries[pin];
            if ((byte)entry == vector && (entry & (RemoteIrr | LevelTrigger)) == (RemoteIrr | LevelTrigger))
            {
                _entries[pin] = entry & ~RemoteIrr;
                Service(pin);
            }
        }
    }

    private uint ReadRegister()
    {
        switch (_select)
        {
            case 0: return _id;
            case 1: return VersionValue;
            case 2: return _id;
            case >= 0x10 and < 0x10 + (PinCount * 2):
                ulong entry = _entries[(_select - 0x10) >> 1];
                return (_select & 1) == 0 ? (uint)entry : (uint)(entry >> 32);
            default: return 0xFFFF_FFFF;
        }
    }

    private void WriteRegister(uint value)
    {
        if (_select == 0)
        {
            _id = value & 0x0F00_0000;
            return;
        }

        if (_select is < 0x10 or >= 0x10 + (PinCount * 2))
        {
            return;
        }

        int pin = (_select - 0x10) >> 1;
        ulong entry = _entries[pin];
        ulong next = (_select & 1) == 0
            ? (entry & 0xFFFF_FFFF_0000_0000UL) | value
            : (entry & 0xFFFF_FFFFUL) | ((ulong)value << 32);
        next = (next & WritableBits) | (entry & RemoteIrr);

        // An edge-triggered entry has no remote IRR (as QEMU: switching to edge clears it).
        if ((next & LevelTrigger) == 0)
        {
            next &= ~RemoteIrr;
        }

        _entries[pin] = next;
        Service(pin);
    }

    private void SetInput(int pin, bool level)
    {
        uint bit = 1u << pin;
        if ((_entries[pin] & LevelTrigger) != 0)
        {
            _irr = level ? _irr | bit : _irr & ~bit;
        }
        else if (level)
        {
            _irr |= bit;
        }

        Service(pin);
    }

    /// <summary>Sends the pin's message when it is requested, unmasked and (level) not awaiting EOI.</summary>
    private void Service(int pin)
    {
        uint bit = 1u << pin;
        ulong entry = _entries[pin];
        if ((_irr & bit) == 0 || (entry & Masked) != 0)
        {
            return;
        }

        bool level = (entry & LevelTrigger) != 0;
        if (level && (entry & RemoteIrr) != 0)
        {
            return;
        }

        var message = new ApicMessage((byte)entry, (ApicDeliveryMode)((entry >> 8) & 7), (byte)(entry >> 56), (entry & (1UL << 11)) != 0, level);
        if (level)
        {
            _entries[pin] = entry | RemoteIrr;
        }
        else
        {
            _irr &= ~bit;
        }

        _bus.Send(message);
    }
}
