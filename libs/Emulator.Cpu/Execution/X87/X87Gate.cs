using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// What happens before an x87 instruction runs (SDM vol. 3, 2.5 and 6.15): CR0.EM or CR0.TS give #NM;
/// a waiting instruction with a pending unmasked exception (FSW.ES) gives #MF when CR0.NE is set (with
/// NE clear the legacy FERR# path has no model here, so nothing is raised). Non-control instructions then
/// record FIP/FCS, FOP and, for memory operands, FDP/FDS.
/// </summary>
public static class X87Gate
{
    public static bool TryEnter(ExecutionContext c, in Instruction i, bool waiting, bool control, out ExitReason reason)
    {
        ref CpuState s = ref c.State;
        reason = ExitReason.Continue;
        if ((s.Cr0 & (Cr0Bits.EM | Cr0Bits.TS)) != 0)
        {
            reason = c.Raise(X87Status.DeviceNotAvailable);
            return false;
        }

        if (waiting && (s.Fsw & X87Status.ErrorSummary) != 0 && (s.Cr0 & Cr0Bits.NE) != 0)
        {
            reason = c.Raise(X87Status.FloatingPointError);
            return false;
        }

        if (!control)
        {
            Record(c, i);
        }

        return true;
    }

    private static void Record(ExecutionContext c, in Instruction i)
    {
        ref CpuState s = ref c.State;
        ref SegmentCache cs = ref s.Segments[(int)SegmentRegister.Cs];
        s.Fip = s.ProtectedMode ? i.IP : cs.Base + i.IP;
        s.Fcs = cs.Selector;
        if (i.Op0Kind == OpKind.Memory || (i.OpCount > 1 && i.Op1Kind == OpKind.Memory))
        {
            s.Fdp = c.EffectiveAddress(i);
            s.Fds = s.Segments[(int)SegmentOf(i.MemorySegment)].Selector;
        }

        s.Fop = X87Opcode.Of(i);
    }

    private static SegmentRegister SegmentOf(Register segment) => segment switch
    {
        Register.ES => SegmentRegister.Es,
        Register.CS => SegmentRegister.Cs,
        Register.SS => SegmentRegister.Ss,
        Register.FS => SegmentRegister.Fs,
        Register.GS => SegmentRegister.Gs,
        _ => SegmentRegister.Ds,
    };
}
