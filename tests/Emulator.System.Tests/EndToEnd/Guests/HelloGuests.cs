using static Iced.Intel.AssemblerRegisters;

namespace Emulator.System.Tests.EndToEnd.Guests;

/// <summary>The hello-world guests: print "hello" to the debug console (port E9h), then write 31h to isa-debug-exit at F4h (status 99).</summary>
internal static class HelloGuests
{
    public const string Output = "hello";
    public const int ExitStatus = (0x31 << 1) | 1;
    public const ushort ExitPort = 0xF4;

    public static byte[] MultibootKernel() => MultibootElfWriter.BuildElf(a =>
    {
        foreach (char c in Output)
        {
            a.mov(al, (byte)c);
            a.@out(0xE9, al);
        }

        a.mov(al, 0x31);
        a.@out((byte)ExitPort, al);
        var spin = a.CreateLabel();
        a.Label(ref spin);
        a.cli();
        a.hlt();
        a.jmp(spin);
    });

    public static byte[] Bios() => BiosImageWriter.Build(a =>
    {
        a.cli();
        foreach (char c in Output)
        {
            a.mov(al, (byte)c);
            a.@out(0xE9, al);
        }

        a.mov(al, 0x31);
        a.@out((byte)ExitPort, al);
        var spin = a.CreateLabel();
        a.Label(ref spin);
        a.hlt();
        a.jmp(spin);
    });
}
