using System.Buffers.Binary;

namespace Emulator.Platform;

/// <summary>
/// A function's MSI-X vectors (PCI Local Bus 3.0, 6.8.2): the table (address, data, vector control per
/// entry), the pending bit array, and the enable and function-mask bits of the capability's message
/// control. A masked vector (or function mask) records the message as pending and sends it when
/// unmasked. Table and PBA accept accesses of any size and alignment byte-wise, so a bad access
/// changes only bytes the guest may change. vCPU thread only.
/// </summary>
public sealed class MsixTable
{
    public const byte CapabilityId = 0x11;
    public const int EntrySize = 16;
    public const int MaxVectors = 2048;
    public const ushort ControlEnable = 0x8000;
    public const ushort ControlFunctionMask = 0x4000;

    private const int VectorControlOffset = 12;
    private const uint VectorMasked = 1;

    private readonly byte[] _table;
    private readonly bool[] _pending;
    private readonly Action<ulong, uint> _deliver;

    /// <param name="deliver">Sends one message (address, data), e.g. through <see cref="MsiMessage.Deliver"/>.</param>
    public MsixTable(int vectorCount, Action<ulong, uint> deliver)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(vectorCount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(vectorCount, MaxVectors);
        ArgumentNullException.ThrowIfNull(deliver);
        _table = new byte[vectorCount * EntrySize];
        _pending = new bool[vectorCount];
        _deliver = deliver;
        Reset();
    }

    public int VectorCount => _pending.Length;

    public int TableBytes => _table.Length;

    public int PbaBytes => ((VectorCount + 63) / 64) * 8;

    public bool Enabled { get; private set; }

    public bool FunctionMasked { get; private set; }

    /// <summary>
    /// Appends the MSI-X capability to <paramref name="function"/>: table at <paramref name="tableOffset"/>
    /// and PBA at <paramref name="pbaOffset"/>, both in BAR <paramref name="bar"/>; enable and function mask
    /// guest-writable. Returns the capability's offset (its message control is 2 bytes further).
    /// </summary>
    public static int AddCapabilityTo(PciFunction function, int vectorCount, int bar, uint tableOffset, uint pbaOffset)
    {
        ArgumentNullException.ThrowIfNull(function);
        Span<byte> body = stackalloc byte[10];
        Span<byte> writable = stackalloc byte[10];
        BinaryPrimitives.WriteUInt16LittleEndian(body, (ushort)(vectorCount - 1));
        BinaryPrimitives.WriteUInt32LittleEndian(body[2..], tableOffset | (uint)bar);
        BinaryPrimitives.WriteUInt32LittleEndian(body[6..], pbaOffset | (uint)bar);
        BinaryPrimitives.WriteUInt16LittleEndian(writable, ControlEnable | ControlFunctionMask);
        return function.AddCapability(CapabilityId, body, writable);
    }

    /// <summary>The message control register changed: new enable and function-mask bits; unmasking sends what is pending.</summary>
    public void ControlWritten(ushort control)
    {
        Enabled = (control & ControlEnable) != 0;
        FunctionMasked = (control & ControlFunctionMask) != 0;
        SendUnmaskedPending();
    }

    public bool IsMasked(int vector) => (ReadU32(vector, VectorControlOffset) & VectorMasked) != 0;

    public bool IsPending(int vector) => vector >= 0 && vector < VectorCount && _pending[vector];

    /// <summary>Signals <paramref name="vector"/>: sent now, or left pending while masked. Ignored when MSI-X is off or the vector does not exist.</summary>
    public void Notify(int vector)
    {
        if (!Enabled || vector < 0 || vector >= VectorCount)
        {
            return;
        }

        if (FunctionMasked || IsMasked(vector))
        {
            _pending[vector] = true;
            return;
        }

        Send(vector);
    }

    public void ReadTable(ulong offset, Span<byte> destination)
    {
        for (int i = 0; i < destination.Length; i++)
        {
            ulong at = offset + (ulong)i;
            destination[i] = at < (ulong)_table.Length ? _table[at] : (byte)0;
        }
    }

    public void WriteTable(ulong offset, ReadOnlySpan<byte> source)
    {
        for (int i = 0; i < source.Length; i++)
        {
            ulong at = offset + (ulong)i;
            if (at >= (ulong)_table.Length)
            {
                break;
            }

            // Vector control: only the mask bit (bit 0) is writable; the rest is reserved.
            int within = (int)(at % EntrySize);
            _table[at] = within == VectorControlOffset ? (byte)(source[i] & VectorMasked)
                : within > VectorControlOffset ? (byte)0 : source[i];
        }

        SendUnmaskedPending();
    }

    /// <summary>The pending bit array, 64 vectors per little-endian qword. Read-only.</summary>
    public void ReadPba(ulong offset, Span<byte> destination)
    {
        for (int i = 0; i < destination.Length; i++)
        {
            ulong at = offset + (ulong)i;
            byte value = 0;
            for (int bit = 0; bit < 8 && at < (ulong)PbaBytes; bit++)
            {
                int vector = (int)(at * 8) + bit;
                if (vector < VectorCount && _pending[vector])
                {
                    value |= (byte)(1 << bit);
                }
            }

            destination[i] = value;
        }
    }

    /// <summary>Power-on state: every vector masked with a zero message, nothing pending, MSI-X off.</summary>
    public void Reset()
    {
        Array.Clear(_table);
        Array.Clear(_pending);
        for (int vector = 0; vector < VectorCount; vector++)
        {
            _table[(vector * EntrySize) + VectorControlOffset] = (byte)VectorMasked;
        }

        Enabled = false;
        FunctionMasked = false;
    }

    private void SendUnmaskedPending()
    {
        if (!Enabled || FunctionMasked)
        {
            return;
        }

        for (int vector = 0; vector < VectorCount; vector++)
        {
            if (_pending[vector] && !IsMasked(vector))
            {
                Send(vector);
            }
        }
    }

    private void Send(int vector)
    {
        _pending[vector] = false;
        ulong address = ReadU32(vector, 0) | ((ulong)ReadU32(vector, 4) << 32);
        _deliver(address, ReadU32(vector, 8));
    }

    private uint ReadU32(int vector, int field) => BinaryPrimitives.ReadUInt32LittleEndian(_table.AsSpan((vector * EntrySize) + field));
}
