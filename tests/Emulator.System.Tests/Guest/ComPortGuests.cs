using Emulator.System.Tests.EndToEnd.Guests;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.System.Tests.Guest;

/// <summary>
/// A multiboot kernel that looks for COM1-COM4 as a driver probing the legacy addresses does (a
/// scratch-register write that reads back; an empty ISA address reads FFh), reports each on the
/// debug console ('+' found, '-' not), sends <see cref="Output"/> on every port it found, then
/// exits through isa-debug-exit with <see cref="SerialGuests.ExitValue"/>.
/// </summary>
internal static class ComPortGuests
{
    private static readonly ushort[] Bases = [0x3F8, 0x2F8, 0x3E8, 0x2E8];

    /// <summary>What the kernel sends on COM<c>index + 1</c>.</summary>
    public static string Output(int index) => $"hello from COM{index + 1}\r\n";

    /// <summary>The debug console's report for the ports present.</summary>
    public static string Report(params bool[] present) => string.Concat(present.Select(p => p ? '+' : '-'));

    public static byte[] ProbingKernel() => MultibootElfWriter.BuildElf(a =>
    {
        void Out(ushort port, byte value)
        {
            a.mov(dx, port);
            a.mov(al, value);
            a.@out(dx, al);
        }

        void WaitForLsr(ushort com, byte bit)
        {
            var wait = a.CreateLabel();
            a.Label(ref wait);
            a.mov(dx, (ushort)(com + 5));
            a.@in(al, dx);
            a.test(al, bit);
            a.jz(wait);
        }

        for (int index = 0; index < Bases.Length; index++)
        {
            ushort com = Bases[index];
            var absent = a.CreateLabel();
            var next = a.CreateLabel();
            Out((ushort)(com + 7), 0x5A);
            a.mov(dx, (ushort)(com + 7));
            a.@in(al, dx);
            a.cmp(al, 0x5A);
            a.jne(absent);

            a.mov(al, (byte)'+');
            a.@out(0xE9, al);
            Out((ushort)(com + 1), 0x00); // IER: no interrupts
            Out((ushort)(com + 3), 0x80); // LCR: DLAB
            Out((ushort)(com + 0), 0x01); // 115200 baud
            Out((ushort)(com + 1), 0x00);
            Out((ushort)(com + 3), 0x03); // 8N1
            Out((ushort)(com + 2), 0x07); // FIFOs on and cleared
            foreach (char c in Output(index))
            {
                WaitForLsr(com, 0x20);
                Out(com, (byte)c);
            }

            WaitForLsr(com, 0x40);
            a.jmp(next);

            a.Label(ref absent);
            a.mov(al, (byte)'-');
            a.@out(0xE9, al);
            a.Label(ref next);
            a.nop();
        }

        a.mov(al, SerialGuests.ExitValue);
        a.@out((byte)HelloGuests.ExitPort, al);
        var spin = a.CreateLabel();
        a.Label(ref spin);
        a.cli();
        a.hlt();
        a.jmp(spin);
    });
}
