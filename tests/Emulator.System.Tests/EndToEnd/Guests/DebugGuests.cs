using static Iced.Intel.AssemblerRegisters;

namespace Emulator.System.Tests.EndToEnd.Guests;

/// <summary>A multiboot kernel for the debugger test: computes two registers, stores their sum, exits through isa-debug-exit.</summary>
internal static class DebugGuests
{
    /// <summary>After mov eax, imm32 (5 bytes), mov ebx, imm32 (5) and add eax, ebx (2): the store of the sum.</summary>
    public const uint StoreAddress = MultibootElfWriter.EntryAddress + 12;

    public const uint ResultAddress = 0x20_0000;

    public const uint First = 0x1234;

    public const uint Second = 0x5678;

    public static byte[] Kernel() => MultibootElfWriter.BuildElf(a =>
    {
        a.mov(eax, First);
        a.mov(ebx, Second);
        a.add(eax, ebx);
        a.mov(__dword_ptr[ResultAddress], eax);
        a.inc(eax);
        a.mov(al, 0x31);
        a.@out((byte)HelloGuests.ExitPort, al);
        var spin = a.CreateLabel();
        a.Label(ref spin);
        a.hlt();
        a.jmp(spin);
    });
}
