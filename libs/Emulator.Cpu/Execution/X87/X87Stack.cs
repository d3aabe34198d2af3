using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// The x87 register stack over <see cref="CpuState"/>: ST(i) is physical R[(TOP + i) mod 8], and the
/// abridged tag <see cref="CpuState.Ftw"/> says which physical registers hold a value. Also the status
/// bookkeeping every x87 handler shares: stack faults (SDM vol. 1, 8.5.1.1), merging a
/// <see cref="FloatStatus"/> into FSW, and the error summary.
/// </summary>
public static class X87Stack
{
    public static int Physical(ExecutionContext c, int st) => (c.State.FpuTop + st) & 7;

    public static bool IsEmpty(ExecutionContext c, int st) => (c.State.Ftw & (1 << Physical(c, st))) == 0;

    public static Float80 Get(ExecutionContext c, int st) => c.State.Fpr[Physical(c, st)];

    public static void Set(ExecutionContext c, int st, Float80 value)
    {
        int p = Physical(c, st);
        c.State.Fpr[p] = value;
        c.State.Ftw |= (byte)(1 << p);
    }

    public static void Free(ExecutionContext c, int st) => c.State.Ftw &= (byte)~(1 << Physical(c, st));

    /// <summary>TOP-1 and write ST(0); the caller checked for overflow.</summary>
    public static void Push(ExecutionContext c, Float80 value)
    {
        c.State.FpuTop = (byte)((c.State.FpuTop - 1) & 7);
        Set(c, 0, value);
    }

    public static void Pop(ExecutionContext c)
    {
        Free(c, 0);
        c.State.FpuTop = (byte)((c.State.FpuTop + 1) & 7);
    }

    public static int IndexOf(Register register) => register - Register.ST0;

    public static FloatStatus NewStatus(ExecutionContext c) => FloatStatus.FromControlWord(c.State.Fcw);

    public static bool IsMasked(ExecutionContext c, FloatFlags flag) => (c.State.Fcw & (int)flag) != 0;

    public static void SetConditions(ExecutionContext c, bool c0, bool c1, bool c2, bool c3)
    {
        ref CpuState s = ref c.State;
        s.Fsw = (ushort)((s.Fsw & ~X87Status.Conditions)
            | (c0 ? X87Status.C0 : 0) | (c1 ? X87Status.C1 : 0) | (c2 ? X87Status.C2 : 0) | (c3 ? X87Status.C3 : 0));
    }

    public static void SetC1(ExecutionContext c, bool value) =>
        c.State.Fsw = (ushort)((c.State.Fsw & ~X87Status.C1) | (value ? X87Status.C1 : 0));

    /// <summary>ES and B follow whether any unmasked exception flag is set.</summary>
    public static void UpdateErrorSummary(ExecutionContext c)
    {
        ref CpuState s = ref c.State;
        bool pending = (s.Fsw & ~s.Fcw & 0x3F) != 0;
        s.Fsw = (ushort)(pending ? s.Fsw | X87Status.ErrorSummary | X87Status.Busy : s.Fsw & ~(X87Status.ErrorSummary | X87Status.Busy));
    }

    /// <summary>
    /// Stack underflow (reading an empty register) or overflow (pushing onto a full one): IE and SF, C1
    /// telling which. Returns whether IE is masked, i.e. whether the caller delivers the indefinite.
    /// </summary>
    public static bool StackFault(ExecutionContext c, bool overflow)
    {
        c.State.Fsw |= (ushort)((int)FloatFlags.Invalid | X87Status.StackFault);
        SetC1(c, overflow);
        UpdateErrorSummary(c);
        return IsMasked(c, FloatFlags.Invalid);
    }

    /// <summary>
    /// Merges an operation's flags into FSW and sets C1 to its round-up indication. Returns whether the
    /// result may be written: not after an unmasked invalid, denormal or divide-by-zero (SDM vol. 1, 8.5).
    /// </summary>
    public static bool Complete(ExecutionContext c, FloatStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        c.State.Fsw |= (ushort)status.Flags;
        SetC1(c, status.RoundedUp && (status.Flags & FloatFlags.Inexact) != 0);
        UpdateErrorSummary(c);
        const FloatFlags blocking = FloatFlags.Invalid | FloatFlags.Denormal | FloatFlags.DivideByZero;
        return (status.Flags & blocking & ~(FloatFlags)(c.State.Fcw & 0x3F)) == 0;
    }

    /// <summary>
    /// As <see cref="Complete"/> for a store to memory, where unmasked overflow and underflow also keep the
    /// destination unchanged.
    /// </summary>
    public static bool CompleteStore(ExecutionContext c, FloatStatus status)
    {
        bool registerOk = Complete(c, status);
        const FloatFlags range = FloatFlags.Overflow | FloatFlags.Underflow;
        return registerOk && (status.Flags & range & ~(FloatFlags)(c.State.Fcw & 0x3F)) == 0;
    }
}
