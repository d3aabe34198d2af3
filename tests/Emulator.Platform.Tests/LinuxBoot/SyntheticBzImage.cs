using System.Buffers.Binary;

namespace Emulator.Platform.Tests;

/// <summary>A minimal bzImage: one setup sector after the boot sector, a 2.15 header, a payload.</summary>
internal static class SyntheticBzImage
{
    public const ulong PrefAddress = 0x100_0000;
    public const int SetupSectors = 1;
    public const int KernelOffset = (SetupSectors + 1) * 512;

    public static byte[] Build(byte[] payload, uint initSize = 0x40_0000, ushort version = 0x020F, ushort xloadflags = 0x1, uint initrdMax = 0x7FFF_FFFF, uint cmdlineSize = 2047)
    {
        byte[] image = new byte[KernelOffset + payload.Length];
        Span<byte> p = image;
        p[0x1F1] = SetupSectors;
        BinaryPrimitives.WriteUInt32LittleEndian(p[0x1F4..], (uint)((payload.Length + 15) / 16));
        BinaryPrimitives.WriteUInt16LittleEndian(p[0x1FE..], 0xAA55);
        p[0x200] = 0xEB;
        p[0x201] = 0x66;
        "HdrS"u8.CopyTo(p[0x202..]);
        BinaryPrimitives.WriteUInt16LittleEndian(p[0x206..], version);
        p[0x211] = 0x01;
        BinaryPrimitives.WriteUInt32LittleEndian(p[0x214..], 0x10_0000);
        BinaryPrimitives.WriteUInt32LittleEndian(p[0x22C..], initrdMax);
        BinaryPrimitives.WriteUInt32LittleEndian(p[0x230..], 0x20_0000);
        p[0x234] = 1;
        BinaryPrimitives.WriteUInt16LittleEndian(p[0x236..], xloadflags);
        BinaryPrimitives.WriteUInt32LittleEndian(p[0x238..], cmdlineSize);
        BinaryPrimitives.WriteUInt64LittleEndian(p[0x258..], PrefAddress);
        BinaryPrimitives.WriteUInt32LittleEndian(p[0x260..], initSize);
        payload.CopyTo(p[KernelOffset..]);
        return image;
    }

    public static byte[] Payload(int length)
    {
        byte[] payload = new byte[length];
        for (int i = 0; i < length; i++)
        {
            payload[i] = (byte)(i * 7);
        }

        return payload;
    }
}
