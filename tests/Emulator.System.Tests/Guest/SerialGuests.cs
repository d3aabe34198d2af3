using Emulator.System.Tests.EndToEnd.Guests;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.System.Tests.Guest;

/// <summary>
/// A multiboot kernel that drives COM1 as a 16550 driver would: programs the divisor (through DLAB)
/// and 8N1, sends <see cref="Output"/> byte by byte, each after the LSR says the transmitter holding
/// register is empty, then writes <see cref="ExitValue"/> to isa-debug-exit at F4h.
/// </summary>
internal static class SerialGuests
{
    public const string Output = "hello from COM1\r\n";

    public const byte ExitValue = 0x15;

    public const int ExitStatus = (ExitValue << 1) | 1;

    private const ushort Com1 = 0x3F8;

    public static byte[] Com1Kernel() => MultibootElfWriter.BuildElf(a =>
    {
        void Out(ushort port, byte value)
        {
            a.mov(dx, port);
            a.mov(al, value);
            a.@out(dx, al);
        }

        Out(Com1 + 1, 0x00); // IER: no interrupts
        Out(Com1 + 3, 0x80); // LCR: DLAB, so the next two ports are the divisor
        Out(Com1 + 0, 0x01); // 115200 baud
        Out(Com1 + 1, 0x00);
        Out(Com1 + 3, 0x03); // 8N1, DLAB off: port 0 is the data register again
        Out(Com1 + 2, 0x07); // FIFOs on and cleared
        foreach (char c in Output)
        {
            var wait = a.CreateLabel();
            a.Label(ref wait);
            a.mov(dx, (ushort)(Com1 + 5));
            a.@in(al, dx);
            a.test(al, 0x20);
            a.jz(wait);
            Out(Com1, (byte)c);
        }

        // Only once the shift register has sent the last byte too (LSR bit 6), as a driver flushing before power-off would.
        var drained = a.CreateLabel();
        a.Label(ref drained);
        a.mov(dx, (ushort)(Com1 + 5));
        a.@in(al, dx);
        a.test(al, 0x40);
        a.jz(drained);

        a.mov(al, ExitValue);
        a.@out((byte)HelloGuests.ExitPort, al);
        var spin = a.CreateLabel();
        a.Label(ref spin);
        a.cli();
        a.hlt();
        a.jmp(spin);
    });
}
