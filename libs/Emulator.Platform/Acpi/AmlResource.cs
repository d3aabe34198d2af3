using System.Buffers.Binary;

namespace Emulator.Platform;

/// <summary>
/// ACPI resource descriptors (ACPI 6.x section 6.4) for <c>_CRS</c>: each method returns one
/// descriptor; <see cref="Template"/> wraps them with the end tag into a Buffer, as ASL's
/// ResourceTemplate() does.
/// </summary>
public static class AmlResource
{
    private const byte ProducerFixedRange = 0x0C; // MinFixed | MaxFixed, positive decode, producer

    /// <summary>IO (Decode16, min, max, alignment, length).</summary>
    public static byte[] Io(ushort minimum, ushort maximum, byte alignment, byte length) =>
        [0x47, 0x01, (byte)minimum, (byte)(minimum >> 8), (byte)maximum, (byte)(maximum >> 8), alignment, length];

    /// <summary>IRQNoFlags: edge-triggered, active-high ISA interrupts in <paramref name="irqs"/> (0-15).</summary>
    public static byte[] IrqNoFlags(params int[] irqs)
    {
        ushort mask = IrqMask(irqs);
        return [0x22, (byte)mask, (byte)(mask >> 8)];
    }

    /// <summary>IRQ (Level/Edge, ActiveHigh/ActiveLow, Shared/Exclusive) for ISA interrupts 0-15.</summary>
    public static byte[] Irq(bool levelTriggered, bool activeLow, bool shared, params int[] irqs)
    {
        ushort mask = IrqMask(irqs);
        byte flags = (byte)((levelTriggered ? 0 : 1) | (activeLow ? 0x08 : 0) | (shared ? 0x10 : 0));
        return [0x23, (byte)mask, (byte)(mask >> 8), flags];
    }

    /// <summary>Memory32Fixed (ReadWrite or ReadOnly, base, length).</summary>
    public static byte[] Memory32Fixed(bool writable, uint baseAddress, uint length)
    {
        var d = new byte[12];
        d[0] = 0x86;
        d[1] = 9;
        d[3] = (byte)(writable ? 1 : 0);
        BinaryPrimitives.WriteUInt32LittleEndian(d.AsSpan(4), baseAddress);
        BinaryPrimitives.WriteUInt32LittleEndian(d.AsSpan(8), length);
        return d;
    }

    /// <summary>Interrupt (ResourceConsumer, Level/Edge, ActiveHigh/ActiveLow, Exclusive/Shared) {gsis}: the extended descriptor for GSIs above 15.</summary>
    public static byte[] Interrupt(bool levelTriggered, bool activeLow, bool shared, params uint[] gsis)
    {
        ArgumentOutOfRangeException.ThrowIfZero(gsis.Length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(gsis.Length, 255);
        var d = new byte[5 + (4 * gsis.Length)];
        d[0] = 0x89;
        BinaryPrimitives.WriteUInt16LittleEndian(d.AsSpan(1), (ushort)(2 + (4 * gsis.Length)));
        d[3] = (byte)(0x01 | (levelTriggered ? 0 : 0x02) | (activeLow ? 0x04 : 0) | (shared ? 0x08 : 0));
        d[4] = (byte)gsis.Length;
        for (int i = 0; i < gsis.Length; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(d.AsSpan(5 + (4 * i)), gsis[i]);
        }

        return d;
    }

    /// <summary>WordBusNumber (ResourceProducer, MinFixed, MaxFixed, PosDecode) covering buses min-max.</summary>
    public static byte[] WordBusNumber(ushort minimum, ushort maximum) =>
        Address(0x88, 2, 2, 0, minimum, maximum, (ulong)maximum - minimum + 1);

    /// <summary>WordIO (ResourceProducer, MinFixed, MaxFixed, PosDecode, EntireRange) covering ports min-max.</summary>
    public static byte[] WordIo(ushort minimum, ushort maximum) =>
        Address(0x88, 2, 1, 0x03, minimum, maximum, (ulong)maximum - minimum + 1);

    /// <summary>DWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed, Cacheable or not, ReadWrite).</summary>
    public static byte[] DWordMemory(uint minimum, uint maximum, bool cacheable) =>
        Address(0x87, 4, 0, (byte)(cacheable ? 0x03 : 0x01), minimum, maximum, (ulong)maximum - minimum + 1);

    /// <summary>QWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed, Cacheable or not, ReadWrite).</summary>
    public static byte[] QWordMemory(ulong minimum, ulong maximum, bool cacheable) =>
        Address(0x8A, 8, 0, (byte)(cacheable ? 0x03 : 0x01), minimum, maximum, maximum - minimum + 1);

    /// <summary>A ResourceTemplate: the descriptors, the end tag (checksum 0 means "none"), as an AML Buffer.</summary>
    public static byte[] Template(params byte[][] descriptors) => Aml.Buffer([.. Aml.Concat(descriptors), 0x79, 0x00]);

    private static ushort IrqMask(int[] irqs)
    {
        ushort mask = 0;
        foreach (int irq in irqs)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(irq);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(irq, 15);
            mask |= (ushort)(1 << irq);
        }

        return mask;
    }

    // Address space descriptors share one layout: tag, length, resource type, general flags,
    // type-specific flags, then granularity/min/max/translation/length in the descriptor's width.
    private static byte[] Address(byte tag, int width, byte resourceType, byte typeFlags, ulong minimum, ulong maximum, ulong length)
    {
        int bodyLength = 3 + (5 * width);
        var d = new byte[3 + bodyLength];
        d[0] = tag;
        BinaryPrimitives.WriteUInt16LittleEndian(d.AsSpan(1), (ushort)bodyLength);
        d[3] = resourceType;
        d[4] = ProducerFixedRange;
        d[5] = typeFlags;
        ulong[] fields = [0, minimum, maximum, 0, length];
        for (int f = 0; f < fields.Length; f++)
        {
            for (int b = 0; b < width; b++)
            {
                d[6 + (f * width) + b] = (byte)(fields[f] >> (8 * b));
            }
        }

        return d;
    }
}
