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

    /// <summary>Like <see cref="MultibootKernel"/>, but after the exit write it prints "late" and exits again with another status: none of that may happen.</summary>
    public static byte[] MultibootKernelWithTail() => MultibootElfWriter.BuildElf(a =>
    {
        foreach (char c in Output)
        {
            a.mov(al, (byte)c);
            a.@out(0xE9, al);
        }

        a.mov(al, 0x31);
        a.@out((byte)ExitPort, al);
        foreach (char c in "late")
        {
            a.mov(al, (byte)c);
            a.@out(0xE9, al);
        }

        a.mov(al, 0x05);
        a.@out((byte)ExitPort, al);
        a.cli();
        a.hlt();
    });

    /// <summary>RAM a reset keeps (only the kernel image is loaded again): the reset guest's first-boot mark.</summary>
    public const uint ResetMarkAddress = 0x20_0000;

    /// <summary>
    /// Prints "first " and resets the machine through port CF9h; after the reset (RAM kept, the kernel
    /// loaded again) it finds its mark, prints "again" and exits with 99.
    /// </summary>
    public static byte[] MultibootKernelThatResetsOnce() => MultibootElfWriter.BuildElf(a =>
    {
        const uint mark = 0x5245_5345;
        var second = a.CreateLabel();
        a.cmp(__dword_ptr[ResetMarkAddress], mark);
        a.je(second);
        a.mov(__dword_ptr[ResetMarkAddress], mark);
        foreach (char c in "first ")
        {
            a.mov(al, (byte)c);
            a.@out(0xE9, al);
        }

        a.mov(dx, 0xCF9);
        a.mov(al, 0x06);
        a.@out(dx, al);
        var spin = a.CreateLabel();
        a.Label(ref spin);
        a.cli();
        a.hlt();
        a.jmp(spin);

        a.Label(ref second);
        foreach (char c in "again")
        {
            a.mov(al, (byte)c);
            a.@out(0xE9, al);
        }

        a.mov(al, 0x31);
        a.@out((byte)ExitPort, al);
        a.hlt();
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

    /// <summary>
    /// Checks EAX holds the multiboot magic (else prints "bad magic"), then prints the command line,
    /// the first module's string and the first module's contents (a NUL-terminated text), then exits with 99.
    /// </summary>
    public static byte[] MultibootInfoEcho() => MultibootElfWriter.BuildElf(a =>
    {
        var print = a.CreateLabel();
        var magicOk = a.CreateLabel();
        var badMagic = a.CreateLabel();
        a.mov(esp, 0x9_0000);
        a.cmp(eax, 0x2BAD_B002);
        a.je(magicOk);
        a.mov(esi, MultibootElfWriter.LoadAddress);
        a.call(badMagic);
        a.Label(ref magicOk);
        a.mov(esi, __dword_ptr[ebx + 16]);
        a.call(print);
        a.mov(edi, __dword_ptr[ebx + 24]);
        a.mov(esi, __dword_ptr[edi + 8]);
        a.call(print);
        a.mov(esi, __dword_ptr[edi]);
        a.call(print);
        a.mov(al, 0x31);
        a.@out((byte)ExitPort, al);
        a.hlt();

        var done = a.CreateLabel();
        a.Label(ref print);
        a.lodsb();
        a.test(al, al);
        a.jz(done);
        a.@out(0xE9, al);
        a.jmp(print);
        a.Label(ref done);
        a.ret();

        a.Label(ref badMagic);
        foreach (char c in "bad magic")
        {
            a.mov(al, (byte)c);
            a.@out(0xE9, al);
        }

        a.ret();
    });
}
