using System.Buffers.Binary;
using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// FSTENV/FLDENV/FSAVE/FRSTOR (SDM vol. 1, 8.1.10 and figures 8-9 to 8-12): the 14-byte (16-bit operand
/// size) and 28-byte (32-bit) environment, in the protected-mode layout or the real/virtual-8086 one,
/// followed for FSAVE/FRSTOR by ST(0)-ST(7). The full tag word is derived from the abridged tag and
/// the register contents. FNSTENV then masks every exception; FNSAVE then initializes the FPU.
/// </summary>
public static class X87Environment
{
    private const OperandRegisters Registers = OperandRegisters.X87 | OperandRegisters.General;

    public static void AddTo(DispatchTable table)
    {
        table.Add(Mnemonic.Fnstenv, Store, registers: Registers);
        table.Add(Mnemonic.Fstenv, Store, registers: Registers);
        table.Add(Mnemonic.Fnsave, Store, registers: Registers);
        table.Add(Mnemonic.Fsave, Store, registers: Registers);
        table.Add(Mnemonic.Fldenv, Load, registers: Registers);
        table.Add(Mnemonic.Frstor, Load, registers: Registers);
    }

    /// <summary>The full two-bit-per-register tag word: 00 valid, 01 zero, 10 special, 11 empty.</summary>
    public static ushort FullTagWord(in CpuState s)
    {
        int tags = 0;
        for (int p = 0; p < 8; p++)
        {
            int tag;
            Float80 value = s.Fpr[p];
            if ((s.Ftw & (1 << p)) == 0)
            {
                tag = 3;
            }
            else if (Float80Arithmetic.IsZero(value))
            {
                tag = 1;
            }
            else if (Float80Arithmetic.ExponentOf(value) == 0 || Float80Arithmetic.ExponentOf(value) == Float80Arithmetic.MaxExponent
                || (value.Significand & Float80Arithmetic.IntegerBit) == 0)
            {
                tag = 2;
            }
            else
            {
                tag = 0;
            }

            tags |= tag << (2 * p);
        }

        return (ushort)tags;
    }

    public static byte AbridgedTag(ushort full)
    {
        int abridged = 0;
        for (int p = 0; p < 8; p++)
        {
            if (((full >> (2 * p)) & 3) != 3)
            {
                abridged |= 1 << p;
            }
        }

        return (byte)abridged;
    }

    private static bool IsRealLayout(in CpuState s) => !s.ProtectedMode || (s.Rflags & RflagsBits.VM) != 0;

    /// <summary>Writes the environment into <paramref name="env"/> (14 or 28 bytes).</summary>
    public static void Encode(in CpuState s, Span<byte> env, bool real)
    {
        bool wide = env.Length == 28;
        int step = wide ? 4 : 2;
        env.Clear();
        if (wide)
        {
            // Reserved upper halves read as ones on Intel processors.
            for (int k = 0; k < 28; k += 4)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(env[(k + 2)..], 0xFFFF);
            }
        }

        BinaryPrimitives.WriteUInt16LittleEndian(env, s.Fcw);
        BinaryPrimitives.WriteUInt16LittleEndian(env[step..], s.FswWithTop);
        BinaryPrimitives.WriteUInt16LittleEndian(env[(2 * step)..], FullTagWord(s));
        if (real)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(env[(3 * step)..], (ushort)s.Fip);
            uint high = (uint)((s.Fip >> 16) << 12) | (uint)(s.Fop & 0x7FF);
            uint dataHigh = (uint)((s.Fdp >> 16) << 12);
            BinaryPrimitives.WriteUInt16LittleEndian(env[(5 * step)..], (ushort)s.Fdp);
            if (wide)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(env[16..], high);
                BinaryPrimitives.WriteUInt32LittleEndian(env[24..], dataHigh);
            }
            else
            {
                BinaryPrimitives.WriteUInt16LittleEndian(env[8..], (ushort)(((s.Fip >> 16) & 0xF) << 12 | (uint)(s.Fop & 0x7FF)));
                BinaryPrimitives.WriteUInt16LittleEndian(env[12..], (ushort)(((s.Fdp >> 16) & 0xF) << 12));
            }

            return;
        }

        if (wide)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(env[12..], (uint)s.Fip);
            BinaryPrimitives.WriteUInt32LittleEndian(env[16..], s.Fcs | ((uint)(s.Fop & 0x7FF) << 16));
            BinaryPrimitives.WriteUInt32LittleEndian(env[20..], (uint)s.Fdp);
            BinaryPrimitives.WriteUInt16LittleEndian(env[24..], s.Fds);
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(env[6..], (ushort)s.Fip);
            BinaryPrimitives.WriteUInt16LittleEndian(env[8..], s.Fcs);
            BinaryPrimitives.WriteUInt16LittleEndian(env[10..], (ushort)s.Fdp);
            BinaryPrimitives.WriteUInt16LittleEndian(env[12..], s.Fds);
        }
    }

    /// <summary>Loads the environment from <paramref name="env"/> (14 or 28 bytes).</summary>
    public static void Decode(ref CpuState s, ReadOnlySpan<byte> env, bool real)
    {
        bool wide = env.Length == 28;
        int step = wide ? 4 : 2;
        // As FLDCW: bit 6 reads as 1 and bits 7 and 13-15 are reserved (zero), as hardware stores them back.
        s.Fcw = (ushort)((BinaryPrimitives.ReadUInt16LittleEndian(env) & 0x1F3F) | 0x0040);
        ushort fsw = BinaryPrimitives.ReadUInt16LittleEndian(env[step..]);
        s.Fsw = (ushort)(fsw & ~X87Status.TopMask);
        s.FpuTop = (byte)((fsw >> 11) & 7);
        s.Ftw = AbridgedTag(BinaryPrimitives.ReadUInt16LittleEndian(env[(2 * step)..]));
        if (real)
        {
            ulong ipLow = BinaryPrimitives.ReadUInt16LittleEndian(env[(3 * step)..]);
            ulong dpLow = BinaryPrimitives.ReadUInt16LittleEndian(env[(5 * step)..]);
            uint high = wide ? BinaryPrimitives.ReadUInt32LittleEndian(env[16..]) : BinaryPrimitives.ReadUInt16LittleEndian(env[8..]);
            uint dataHigh = wide ? BinaryPrimitives.ReadUInt32LittleEndian(env[24..]) : BinaryPrimitives.ReadUInt16LittleEndian(env[12..]);
            s.Fop = (ushort)(high & 0x7FF);
            s.Fip = ipLow | ((ulong)(high >> 12) << 16);
            s.Fdp = dpLow | ((ulong)(dataHigh >> 12) << 16);
            return;
        }

        if (wide)
        {
            s.Fip = BinaryPrimitives.ReadUInt32LittleEndian(env[12..]);
            uint selectorOp = BinaryPrimitives.ReadUInt32LittleEndian(env[16..]);
            s.Fcs = (ushort)selectorOp;
            s.Fop = (ushort)((selectorOp >> 16) & 0x7FF);
            s.Fdp = BinaryPrimitives.ReadUInt32LittleEndian(env[20..]);
            s.Fds = BinaryPrimitives.ReadUInt16LittleEndian(env[24..]);
        }
        else
        {
            s.Fip = BinaryPrimitives.ReadUInt16LittleEndian(env[6..]);
            s.Fcs = BinaryPrimitives.ReadUInt16LittleEndian(env[8..]);
            s.Fdp = BinaryPrimitives.ReadUInt16LittleEndian(env[10..]);
            s.Fds = BinaryPrimitives.ReadUInt16LittleEndian(env[12..]);
        }
    }

    private static int EnvironmentSize(in Instruction i) =>
        i.MemorySize is MemorySize.FpuEnv14 or MemorySize.FpuState94 ? 14 : 28;

    private static bool IsSave(Mnemonic m) => m is Mnemonic.Fnsave or Mnemonic.Fsave or Mnemonic.Frstor;

    private static ExitReason Store(ExecutionContext c, in Instruction i)
    {
        bool waiting = i.Mnemonic is Mnemonic.Fstenv or Mnemonic.Fsave;
        if (!X87Gate.TryEnter(c, i, waiting, control: true, out ExitReason reason))
        {
            return reason;
        }

        int envSize = EnvironmentSize(i);
        bool save = IsSave(i.Mnemonic);
        Span<byte> block = stackalloc byte[envSize + (save ? 80 : 0)];
        ref CpuState s = ref c.State;
        Encode(s, block[..envSize], IsRealLayout(s));
        if (save)
        {
            for (int st = 0; st < 8; st++)
            {
                X87Memory.Encode80(block[(envSize + (10 * st))..], X87Stack.Get(c, st));
            }
        }

        if (!c.TryLinearAddress(i, block.Length, MemoryAccess.Write, out ulong linear) || !X87Memory.TryWrite(c, linear, block))
        {
            return ExitReason.Exception;
        }

        if (save)
        {
            X87Control.Reset(ref s);
        }
        else
        {
            s.Fcw |= 0x3F;
        }

        return ExitReason.Continue;
    }

    private static ExitReason Load(ExecutionContext c, in Instruction i)
    {
        if (!X87Gate.TryEnter(c, i, waiting: true, control: true, out ExitReason reason))
        {
            return reason;
        }

        int envSize = EnvironmentSize(i);
        bool save = IsSave(i.Mnemonic);
        Span<byte> block = stackalloc byte[envSize + (save ? 80 : 0)];
        if (!c.TryLinearAddress(i, block.Length, MemoryAccess.Read, out ulong linear) || !X87Memory.TryRead(c, linear, block))
        {
            return ExitReason.Exception;
        }

        ref CpuState s = ref c.State;
        Decode(ref s, block[..envSize], IsRealLayout(s));

        // ES and B follow the loaded exception flags and masks, not the stored bits (as the host x87 does).
        X87Stack.UpdateErrorSummary(c);
        if (save)
        {
            for (int st = 0; st < 8; st++)
            {
                c.State.Fpr[X87Stack.Physical(c, st)] = X87Memory.Decode80(block[(envSize + (10 * st))..]);
            }
        }

        return ExitReason.Continue;
    }
}
