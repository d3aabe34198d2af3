using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Platform.Tests.PcMachine;

/// <summary>Guest code snippets shared by the pc platform tests (32-bit).</summary>
internal static class GuestCode
{
    public static void Out(this Assembler a, ushort port, byte value)
    {
        a.mov(al, value);
        a.mov(dx, port);
        a.@out(dx, al);
    }

    /// <summary>Both 8259s initialised (vectors 20h and 28h, cascade on IRQ 2) with the given masks.</summary>
    public static void InitPic(this Assembler a, byte masterMask, byte slaveMask)
    {
        a.Out(0x20, 0x11);
        a.Out(0x21, 0x20);
        a.Out(0x21, 0x04);
        a.Out(0x21, 0x01);
        a.Out(0xA0, 0x11);
        a.Out(0xA1, 0x28);
        a.Out(0xA1, 0x02);
        a.Out(0xA1, 0x01);
        a.Out(0x21, masterMask);
        a.Out(0xA1, slaveMask);
    }

    /// <summary>PIT channel 0 in mode 2 at about 1 kHz.</summary>
    public static void StartPit(this Assembler a)
    {
        a.Out(0x43, 0x34);
        a.Out(0x40, 1193 & 0xFF);
        a.Out(0x40, 1193 >> 8);
    }

    /// <summary>STI; HLT until the counter reaches <paramref name="ticks"/>; CLI; the low byte of the counter to debugcon; isa-debug-exit with <paramref name="code"/>.</summary>
    public static void WaitTicksThenExit(this Assembler a, uint ticks, byte code)
    {
        Label wait = a.CreateLabel();
        a.sti();
        a.Label(ref wait);
        a.hlt();
        a.cmp(__dword_ptr[PcGuestMachine.Counter], ticks);
        a.jb(wait);
        a.cli();
        a.mov(al, __byte_ptr[PcGuestMachine.Counter]);
        a.mov(dx, (ushort)DebugConsole.DefaultPort);
        a.@out(dx, al);
        a.Out(IsaDebugExit.DefaultBase, code);
        a.hlt();
    }

    public static void MmioWrite(this Assembler a, uint address, uint value) => a.mov(__dword_ptr[address], value);
}
