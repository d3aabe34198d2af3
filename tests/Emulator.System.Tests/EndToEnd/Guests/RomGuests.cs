using static Iced.Intel.AssemblerRegisters;

namespace Emulator.System.Tests.EndToEnd.Guests;

/// <summary>A <c>-bios</c> guest that writes over its own image, through both windows, and prints what it reads back.</summary>
internal static class RomGuests
{
    /// <summary>An image byte that is zero: '0' printed means the write did not stick.</summary>
    private const ushort ZeroOffset = 0x8000;

    /// <summary>The ISA alias (DS=F000h, base F0000h), then the high window (CS base FFFF0000h): "00".</summary>
    public const string Output = "00";

    public static byte[] Bios() => BiosImageWriter.Build(a =>
    {
        a.cli();
        a.mov(ax, 0xF000);
        a.mov(ds, ax);
        a.mov(__byte_ptr[ZeroOffset], 0x58);
        a.mov(al, __byte_ptr[ZeroOffset]);
        a.add(al, (byte)'0');
        a.@out(0xE9, al);
        a.db(0x2E); // CS:
        a.mov(__byte_ptr[ZeroOffset], 0x58);
        a.db(0x2E);
        a.mov(al, __byte_ptr[ZeroOffset]);
        a.add(al, (byte)'0');
        a.@out(0xE9, al);
        a.mov(al, 0x31);
        a.@out((byte)HelloGuests.ExitPort, al);
        var spin = a.CreateLabel();
        a.Label(ref spin);
        a.hlt();
        a.jmp(spin);
    });
}
