using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// x87 data transfer (SDM vol. 1, 8.3.3; vol. 2 FLD, FST/FSTP, FILD, FIST/FISTP, FISTTP, FBLD, FBSTP,
/// FXCH, FCMOVcc).
/// </summary>
public static class X87DataTransfer
{
    private const OperandRegisters Registers = OperandRegisters.X87 | OperandRegisters.General;

    public static void AddTo(DispatchTable table)
    {
        table.Add(Mnemonic.Fld, Fld, registers: Registers);
        table.Add(Mnemonic.Fild, Fld, registers: Registers);
        table.Add(Mnemonic.Fbld, Fbld, registers: Registers);
        table.Add(Mnemonic.Fst, Fst, registers: Registers);
        table.Add(Mnemonic.Fstp, Fst, registers: Registers);
        table.Add(Mnemonic.Fstpnce, Fst, registers: Registers);
        table.Add(Mnemonic.Fist, Fist, registers: Registers);
        table.Add(Mnemonic.Fistp, Fist, registers: Registers);
        table.Add(Mnemonic.Fisttp, Fist, registers: Registers);
        table.Add(Mnemonic.Fbstp, Fbstp, registers: Registers);
        table.Add(Mnemonic.Fxch, Fxch, registers: Registers);
        foreach (Mnemonic m in new[] { Mnemonic.Fcmovb, Mnemonic.Fcmove, Mnemonic.Fcmovbe, Mnemonic.Fcmovu, Mnemonic.Fcmovnb, Mnemonic.Fcmovne, Mnemonic.Fcmovnbe, Mnemonic.Fcmovnu })
        {
            table.Add(m, Fcmov, registers: Registers);
        }
    }

    /// <summary>Pushes <paramref name="value"/>, or handles stack overflow (masked: pushes the indefinite).</summary>
    public static void PushChecked(ExecutionContext c, Float80 value)
    {
        if (!X87Stack.IsEmpty(c, 7))
        {
            if (X87Stack.StackFault(c, overflow: true))
            {
                X87Stack.Push(c, Float80Arithmetic.Indefinite);
            }

            return;
        }

        X87Stack.Push(c, value);
    }

    private static ExitReason Fld(ExecutionContext c, in Instruction i)
    {
        if (!X87Gate.TryEnter(c, i, waiting: true, control: false, out ExitReason reason))
        {
            return reason;
        }

        FloatStatus status = X87Stack.NewStatus(c);
        Float80 value;
        if (i.Op0Kind == OpKind.Register)
        {
            int source = X87Stack.IndexOf(i.Op0Register);
            if (X87Stack.IsEmpty(c, source))
            {
                if (X87Stack.StackFault(c, overflow: false))
                {
                    PushChecked(c, Float80Arithmetic.Indefinite);
                }

                return ExitReason.Continue;
            }

            value = X87Stack.Get(c, source);
        }
        else
        {
            if (!X87Memory.TryReadValue(c, i, out value, out bool denormal))
            {
                return ExitReason.Exception;
            }

            if (i.MemorySize is MemorySize.Float32 or MemorySize.Float64)
            {
                if (Float80Arithmetic.IsSignalingNaN(value))
                {
                    status.Raise(FloatFlags.Invalid);
                    value = Float80Arithmetic.Quiet(value);
                }
                else if (denormal)
                {
                    status.Raise(FloatFlags.Denormal);
                }
            }
        }

        if (!X87Stack.IsEmpty(c, 7))
        {
            PushChecked(c, value);
            return ExitReason.Continue;
        }

        if (X87Stack.Complete(c, status))
        {
            X87Stack.Push(c, value);
        }

        return ExitReason.Continue;
    }

    private static ExitReason Fbld(ExecutionContext c, in Instruction i)
    {
        if (!X87Gate.TryEnter(c, i, waiting: true, control: false, out ExitReason reason))
        {
            return reason;
        }

        Span<byte> bytes = stackalloc byte[10];
        if (!c.TryLinearAddress(i, bytes.Length, MemoryAccess.Read, out ulong linear) || !X87Memory.TryRead(c, linear, bytes))
        {
            return ExitReason.Exception;
        }

        ulong magnitude = 0;
        for (int b = 8; b >= 0; b--)
        {
            magnitude = (magnitude * 100) + ((ulong)(bytes[b] >> 4) * 10) + (ulong)(bytes[b] & 0xF);
        }

        X87Stack.SetC1(c, false);
        PushChecked(c, Float80Arithmetic.FromUInt64((bytes[9] & 0x80) != 0, magnitude));
        return ExitReason.Continue;
    }

    private static ExitReason Fst(ExecutionContext c, in Instruction i)
    {
        if (!X87Gate.TryEnter(c, i, waiting: true, control: false, out ExitReason reason))
        {
            return reason;
        }

        bool pop = i.Mnemonic != Mnemonic.Fst;
        bool empty = X87Stack.IsEmpty(c, 0);
        Float80 value = X87Stack.Get(c, 0);
        if (empty && !X87Stack.StackFault(c, overflow: false))
        {
            return ExitReason.Continue;
        }

        if (empty)
        {
            value = Float80Arithmetic.Indefinite;
        }

        if (i.Op0Kind == OpKind.Register)
        {
            X87Stack.Set(c, X87Stack.IndexOf(i.Op0Register), value);
            if (!empty)
            {
                X87Stack.SetC1(c, false);
            }
        }
        else
        {
            FloatStatus status = X87Stack.NewStatus(c);
            if (!c.TryLinearAddress(i, i.MemorySize.GetSize(), MemoryAccess.Write, out ulong linear))
            {
                return ExitReason.Exception;
            }

            bool stored;
            switch (i.MemorySize)
            {
                case MemorySize.Float80:
                    Span<byte> bytes = stackalloc byte[10];
                    X87Memory.Encode80(bytes, value);
                    if (!X87Memory.TryWrite(c, linear, bytes))
                    {
                        return ExitReason.Exception;
                    }

                    if (!empty)
                    {
                        X87Stack.SetC1(c, false);
                    }

                    stored = true;
                    break;
                case MemorySize.Float32:
                    uint single = Float80Arithmetic.ToFloat32(value, status);
                    stored = TryStore(c, status, linear, 4, single, out reason);
                    break;
                default:
                    ulong dbl = Float80Arithmetic.ToFloat64(value, status);
                    stored = TryStore(c, status, linear, 8, dbl, out reason);
                    break;
            }

            if (reason == ExitReason.Exception)
            {
                return reason;
            }

            if (!stored)
            {
                return ExitReason.Continue;
            }
        }

        if (pop)
        {
            X87Stack.Pop(c);
        }

        return ExitReason.Continue;
    }

    /// <summary>
    /// Stores a converted value unless an unmasked exception forbids it. Flags are merged only after the
    /// write succeeds, so a faulting store leaves FSW untouched. False: nothing stored (and no pop).
    /// </summary>
    private static bool TryStore(ExecutionContext c, FloatStatus status, ulong linear, int size, ulong value, out ExitReason reason)
    {
        reason = ExitReason.Continue;
        const FloatFlags blocking = FloatFlags.Invalid | FloatFlags.Overflow | FloatFlags.Underflow;
        bool allowed = (status.Flags & blocking & ~(FloatFlags)(c.State.Fcw & 0x3F)) == 0;
        if (allowed && !X87Memory.TryWriteScalar(c, linear, size, value))
        {
            reason = ExitReason.Exception;
            return false;
        }

        X87Stack.CompleteStore(c, status);
        return allowed;
    }

    private static ExitReason Fist(ExecutionContext c, in Instruction i)
    {
        if (!X87Gate.TryEnter(c, i, waiting: true, control: false, out ExitReason reason))
        {
            return reason;
        }

        int size = i.MemorySize.GetSize();
        if (!c.TryLinearAddress(i, size, MemoryAccess.Write, out ulong linear))
        {
            return ExitReason.Exception;
        }

        bool pop = i.Mnemonic != Mnemonic.Fist;
        long result;
        FloatStatus status = X87Stack.NewStatus(c);
        if (X87Stack.IsEmpty(c, 0))
        {
            if (!X87Stack.StackFault(c, overflow: false))
            {
                return ExitReason.Continue;
            }

            result = size == 8 ? long.MinValue : -(1L << ((size * 8) - 1));
        }
        else
        {
            result = Float80Arithmetic.ToInt(X87Stack.Get(c, 0), size * 8, status, truncate: i.Mnemonic == Mnemonic.Fisttp);
        }

        if (!TryStore(c, status, linear, size, (ulong)result, out reason))
        {
            return reason;
        }

        if (pop)
        {
            X87Stack.Pop(c);
        }

        return ExitReason.Continue;
    }

    private static ExitReason Fbstp(ExecutionContext c, in Instruction i)
    {
        if (!X87Gate.TryEnter(c, i, waiting: true, control: false, out ExitReason reason))
        {
            return reason;
        }

        FloatStatus status = X87Stack.NewStatus(c);
        Span<byte> bytes = stackalloc byte[10];
        bool indefinite;
        if (X87Stack.IsEmpty(c, 0))
        {
            if (!X87Stack.StackFault(c, overflow: false))
            {
                return ExitReason.Continue;
            }

            indefinite = true;
        }
        else
        {
            Float80 value = X87Stack.Get(c, 0);
            long integer = Float80Arithmetic.ToInt(value, 64, status);
            ulong magnitude = integer < 0 ? (ulong)-(Int128)integer : (ulong)integer;
            if ((status.Flags & FloatFlags.Invalid) == 0 && magnitude > 999_999_999_999_999_999UL)
            {
                status.Flags = FloatFlags.Invalid;
                status.RoundedUp = false;
            }

            indefinite = (status.Flags & FloatFlags.Invalid) != 0;
            if (!indefinite)
            {
                for (int b = 0; b < 9; b++)
                {
                    ulong pair = magnitude % 100;
                    magnitude /= 100;
                    bytes[b] = (byte)(((pair / 10) << 4) | (pair % 10));
                }

                bytes[9] = Float80Arithmetic.SignOf(value) ? (byte)0x80 : (byte)0;
            }
        }

        if (indefinite)
        {
            bytes.Clear();
            bytes[7] = 0xC0;
            bytes[8] = 0xFF;
            bytes[9] = 0xFF;
        }

        bool allowed = (status.Flags & FloatFlags.Invalid) == 0 || X87Stack.IsMasked(c, FloatFlags.Invalid);
        if (allowed && (!c.TryLinearAddress(i, bytes.Length, MemoryAccess.Write, out ulong linear) || !X87Memory.TryWrite(c, linear, bytes)))
        {
            return ExitReason.Exception;
        }

        X87Stack.CompleteStore(c, status);
        if (allowed)
        {
            X87Stack.Pop(c);
        }

        return ExitReason.Continue;
    }

    private static ExitReason Fxch(ExecutionContext c, in Instruction i)
    {
        if (!X87Gate.TryEnter(c, i, waiting: true, control: false, out ExitReason reason))
        {
            return reason;
        }

        int other = i.OpCount > 1 ? X87Stack.IndexOf(i.Op1Register) : 1;
        bool emptyTop = X87Stack.IsEmpty(c, 0);
        bool emptyOther = X87Stack.IsEmpty(c, other);
        if (emptyTop || emptyOther)
        {
            if (!X87Stack.StackFault(c, overflow: false))
            {
                return ExitReason.Continue;
            }
        }
        else
        {
            X87Stack.SetC1(c, false);
        }

        Float80 top = emptyTop ? Float80Arithmetic.Indefinite : X87Stack.Get(c, 0);
        Float80 value = emptyOther ? Float80Arithmetic.Indefinite : X87Stack.Get(c, other);
        X87Stack.Set(c, 0, value);
        X87Stack.Set(c, other, top);
        return ExitReason.Continue;
    }

    private static ExitReason Fcmov(ExecutionContext c, in Instruction i)
    {
        if (!X87Gate.TryEnter(c, i, waiting: true, control: false, out ExitReason reason))
        {
            return reason;
        }

        ulong f = c.State.Rflags;
        bool cf = (f & RflagsBits.CF) != 0;
        bool zf = (f & RflagsBits.ZF) != 0;
        bool pf = (f & RflagsBits.PF) != 0;
        bool move = i.Mnemonic switch
        {
            Mnemonic.Fcmovb => cf,
            Mnemonic.Fcmove => zf,
            Mnemonic.Fcmovbe => cf || zf,
            Mnemonic.Fcmovu => pf,
            Mnemonic.Fcmovnb => !cf,
            Mnemonic.Fcmovne => !zf,
            Mnemonic.Fcmovnbe => !cf && !zf,
            _ => !pf,
        };
        int source = X87Stack.IndexOf(i.Op1Register);
        if (X87Stack.IsEmpty(c, 0) || X87Stack.IsEmpty(c, source))
        {
            if (X87Stack.StackFault(c, overflow: false))
            {
                X87Stack.Set(c, 0, Float80Arithmetic.Indefinite);
            }

            return ExitReason.Continue;
        }

        if (move)
        {
            X87Stack.Set(c, 0, X87Stack.Get(c, source));
        }

        return ExitReason.Continue;
    }
}
