using System.Buffers.Binary;
using Emulator.Cpu;

namespace Emulator.GdbStub;

/// <summary>
/// gdb's register numbers for i386:x86-64, QEMU's numbering (target/i386/gdbstub.c): 0-15 GPRs in
/// gdb's order (rax rbx rcx rdx rsi rdi rbp rsp r8-r15), 16 rip, 17 eflags, 18-23 cs ss ds es fs gs,
/// 24-26 fs_base gs_base k_gs_base, 27-34 st0-st7, 35-42 fctrl fstat ftag fiseg fioff foseg fooff fop,
/// 43-58 xmm0-xmm15, 59 mxcsr, 60-65 cr0 cr2 cr3 cr4 cr8 efer. <see cref="X86TargetDescription"/> gives
/// gdb the same numbers. Values are little-endian, sizes fixed whatever the mode; outside 64-bit mode
/// rax-rdi and rip read as their low 32 bits and r8-r15 as zero, as QEMU reports them.
/// st(i) is the stack register R[(TOP + i) mod 8], which is what gdb means by st0-st7.
/// </summary>
public static class X86GdbRegisters
{
    public const int Rip = 16;
    public const int Eflags = 17;
    public const int FirstSegment = 18;
    public const int FsBase = 24;
    public const int GsBase = 25;
    public const int KernelGsBase = 26;
    public const int FirstSt = 27;
    public const int Fctrl = 35;
    public const int FirstXmm = 43;
    public const int Mxcsr = 59;
    public const int Cr0 = 60;
    public const int Efer = 65;
    public const int Count = 66;

    /// <summary>The size of all registers in a <c>g</c> reply.</summary>
    public const int TotalSize = (16 * 8) + 8 + 4 + (6 * 4) + (3 * 8) + (8 * 10) + (8 * 4) + (16 * 16) + 4 + (6 * 8);

    /// <summary>gdb's GPR order by <see cref="GeneralRegister"/> number.</summary>
    private static ReadOnlySpan<byte> GprOrder => [0, 3, 1, 2, 6, 7, 5, 4, 8, 9, 10, 11, 12, 13, 14, 15];

    /// <summary>gdb's segment order (cs ss ds es fs gs) by <see cref="SegmentRegister"/> number.</summary>
    private static ReadOnlySpan<byte> SegmentOrder => [1, 2, 3, 0, 4, 5];

    /// <summary>The size in bytes of register <paramref name="number"/>, 0 when there is no such register.</summary>
    public static int SizeOf(int number) => number switch
    {
        < 0 => 0,
        <= Rip => 8,
        < FsBase => 4,
        < FirstSt => 8,
        < Fctrl => 10,
        < FirstXmm => 4,
        < Mxcsr => 16,
        Mxcsr => 4,
        < Count => 8,
        _ => 0,
    };

    /// <summary>Writes register <paramref name="number"/> into <paramref name="destination"/> (at least <see cref="SizeOf"/> bytes); returns its size, 0 if none.</summary>
    public static int Read(in CpuState state, int number, Span<byte> destination)
    {
        int size = SizeOf(number);
        if (size == 0 || destination.Length < size)
        {
            return 0;
        }

        Span<byte> value = destination[..size];
        bool wide = state.In64BitMode;
        switch (number)
        {
            case < 16:
                ulong gpr = state.Gpr[GprOrder[number]];
                BinaryPrimitives.WriteUInt64LittleEndian(value, wide ? gpr : number < 8 ? gpr & 0xFFFF_FFFF : 0);
                break;
            case Rip:
                BinaryPrimitives.WriteUInt64LittleEndian(value, wide ? state.Rip : state.Rip & 0xFFFF_FFFF);
                break;
            case Eflags:
                BinaryPrimitives.WriteUInt32LittleEndian(value, (uint)state.Rflags);
                break;
            case < FsBase:
                BinaryPrimitives.WriteUInt32LittleEndian(value, state.Segments[SegmentOrder[number - FirstSegment]].Selector);
                break;
            case FsBase:
                BinaryPrimitives.WriteUInt64LittleEndian(value, state.Segments[(int)SegmentRegister.Fs].Base);
                break;
            case GsBase:
                BinaryPrimitives.WriteUInt64LittleEndian(value, state.Segments[(int)SegmentRegister.Gs].Base);
                break;
            case KernelGsBase:
                BinaryPrimitives.WriteUInt64LittleEndian(value, state.KernelGsBase);
                break;
            case < Fctrl:
                Float80 st = state.Fpr[(state.FpuTop + number - FirstSt) & 7];
                BinaryPrimitives.WriteUInt64LittleEndian(value, st.Significand);
                BinaryPrimitives.WriteUInt16LittleEndian(value[8..], st.SignExponent);
                break;
            case < FirstXmm:
                BinaryPrimitives.WriteUInt32LittleEndian(value, X87Control(in state, number - Fctrl));
                break;
            case < Mxcsr:
                XmmRegister xmm = state.Xmm[number - FirstXmm];
                BinaryPrimitives.WriteUInt64LittleEndian(value, xmm.Low);
                BinaryPrimitives.WriteUInt64LittleEndian(value[8..], xmm.High);
                break;
            case Mxcsr:
                BinaryPrimitives.WriteUInt32LittleEndian(value, state.Mxcsr);
                break;
            default:
                BinaryPrimitives.WriteUInt64LittleEndian(value, ControlRegisterValue(in state, number));
                break;
        }

        return size;
    }

    /// <summary>
    /// Sets register <paramref name="number"/> from <paramref name="value"/> (exactly <see cref="SizeOf"/> bytes);
    /// false for an unknown register or a wrong size. A segment write changes the selector only (the hidden
    /// part stays, unlike QEMU, which reloads the descriptor).
    /// </summary>
    public static bool Write(ref CpuState state, int number, ReadOnlySpan<byte> value)
    {
        int size = SizeOf(number);
        if (size == 0 || value.Length != size)
        {
            return false;
        }

        switch (number)
        {
            case < 16:
                state.Gpr[GprOrder[number]] = BinaryPrimitives.ReadUInt64LittleEndian(value);
                break;
            case Rip:
                state.Rip = BinaryPrimitives.ReadUInt64LittleEndian(value);
                break;
            case Eflags:
                state.Rflags = (BinaryPrimitives.ReadUInt32LittleEndian(value) & RflagsWritable) | RflagsBits.Fixed1;
                break;
            case < FsBase:
                state.Segments[SegmentOrder[number - FirstSegment]].Selector = (ushort)BinaryPrimitives.ReadUInt32LittleEndian(value);
                break;
            case FsBase:
                state.Segments[(int)SegmentRegister.Fs].Base = BinaryPrimitives.ReadUInt64LittleEndian(value);
                break;
            case GsBase:
                state.Segments[(int)SegmentRegister.Gs].Base = BinaryPrimitives.ReadUInt64LittleEndian(value);
                break;
            case KernelGsBase:
                state.KernelGsBase = BinaryPrimitives.ReadUInt64LittleEndian(value);
                break;
            case < Fctrl:
                ref Float80 st = ref state.Fpr[(state.FpuTop + number - FirstSt) & 7];
                st.Significand = BinaryPrimitives.ReadUInt64LittleEndian(value);
                st.SignExponent = BinaryPrimitives.ReadUInt16LittleEndian(value[8..]);
                break;
            case < FirstXmm:
                SetX87Control(ref state, number - Fctrl, BinaryPrimitives.ReadUInt32LittleEndian(value));
                break;
            case < Mxcsr:
                ref XmmRegister xmm = ref state.Xmm[number - FirstXmm];
                xmm.Low = BinaryPrimitives.ReadUInt64LittleEndian(value);
                xmm.High = BinaryPrimitives.ReadUInt64LittleEndian(value[8..]);
                break;
            case Mxcsr:
                state.Mxcsr = BinaryPrimitives.ReadUInt32LittleEndian(value);
                break;
            default:
                ControlRegister(ref state, number) = BinaryPrimitives.ReadUInt64LittleEndian(value);
                break;
        }

        return true;
    }

    /// <summary>Bits 22-63 and 1, 3, 5, 15 of RFLAGS are reserved; gdb cannot change them.</summary>
    private const ulong RflagsWritable = 0x3F_7FD5;

    private static uint X87Control(in CpuState state, int index) => index switch
    {
        0 => state.Fcw,
        1 => state.FswWithTop,
        2 => FullTagWord(state.Ftw),
        3 => state.Fcs,
        4 => (uint)state.Fip,
        5 => state.Fds,
        6 => (uint)state.Fdp,
        _ => state.Fop,
    };

    private static void SetX87Control(ref CpuState state, int index, uint value)
    {
        switch (index)
        {
            case 0: state.Fcw = (ushort)value; break;
            case 1:
                state.Fsw = (ushort)(value & ~0x3800u);
                state.FpuTop = (byte)((value >> 11) & 7);
                break;
            case 2: state.Ftw = AbridgedTagWord(value); break;
            case 3: state.Fcs = (ushort)value; break;
            case 4: state.Fip = value; break;
            case 5: state.Fds = (ushort)value; break;
            case 6: state.Fdp = value; break;
            default: state.Fop = (ushort)(value & 0x7FF); break;
        }
    }

    /// <summary>The full tag word gdb shows: 11 (empty) for a clear abridged bit, 00 (valid) otherwise.</summary>
    private static uint FullTagWord(byte abridged)
    {
        uint tags = 0;
        for (int i = 0; i < 8; i++)
        {
            if ((abridged & (1 << i)) == 0)
            {
                tags |= 3u << (2 * i);
            }
        }

        return tags;
    }

    private static byte AbridgedTagWord(uint full)
    {
        byte abridged = 0;
        for (int i = 0; i < 8; i++)
        {
            if (((full >> (2 * i)) & 3) != 3)
            {
                abridged |= (byte)(1 << i);
            }
        }

        return abridged;
    }

    private static ulong ControlRegisterValue(in CpuState state, int number) => number switch
    {
        Cr0 => state.Cr0,
        Cr0 + 1 => state.Cr2,
        Cr0 + 2 => state.Cr3,
        Cr0 + 3 => state.Cr4,
        Cr0 + 4 => state.Cr8,
        _ => state.Efer,
    };

    private static ref ulong ControlRegister(ref CpuState state, int number)
    {
        switch (number)
        {
            case Cr0: return ref state.Cr0;
            case Cr0 + 1: return ref state.Cr2;
            case Cr0 + 2: return ref state.Cr3;
            case Cr0 + 3: return ref state.Cr4;
            case Cr0 + 4: return ref state.Cr8;
            default: return ref state.Efer;
        }
    }
}
