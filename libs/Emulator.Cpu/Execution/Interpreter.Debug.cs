using System.Runtime.CompilerServices;
using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// Debug exceptions (SDM vol. 3, ch. 18): while RFLAGS.TF or RF is set or DR7 enables a breakpoint,
/// blocks run one instruction at a time through <see cref="RunDebugged"/>; otherwise the only cost
/// is one test per block (<see cref="DebugArmed"/>). Instruction breakpoints fault before the
/// instruction (RIP at it, RF pushed as it was: the handler sets RF in the image to resume);
/// single-step and data breakpoints trap after it (RIP past it). A faulting instruction, HLT (as in
/// QEMU), and an INT n/INT3/INT1/INTO that delivered report no trap; after MOV SS or POP SS the trap
/// waits one instruction. Data accesses come from Iced's operand description with the registers
/// before the instruction; while armed a repeated string instruction runs one iteration per step
/// (<see cref="ExecutionContext.StringIterationLimit"/>), so it traps at that iteration's boundary.
/// </summary>
public sealed partial class Interpreter
{
    private const ulong DebugFlags = RflagsBits.TF | RflagsBits.RF;

    // DR6 bits of a trap held over a MOV SS/POP SS shadow, reported after the next instruction.
    private ulong _pendingDebugTrap;
    private InstructionInfoFactory? _instructionInfo;

    // A held trap needs no bit of its own: it was raised under TF or an enabled breakpoint, and
    // nothing runs between MOV SS and the next instruction that could clear them (the shadow
    // blocks interrupts), short of the host editing the state between runs.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool DebugArmed(in CpuState state) =>
        ((state.Rflags & DebugFlags) | (state.Dr7 & DebugExceptions.Dr7Enables)) != 0;

    /// <summary>The first instruction of <paramref name="block"/> at <paramref name="linear"/>, with the debug checks around it.</summary>
    private ExitReason RunDebugged(DecodedBlock block, int bitness, ulong linear, ref long remaining, out bool faulted)
    {
        ref CpuState state = ref _vcpu.State;
        faulted = true;
        Instruction instruction = block.Instructions[0];
        ulong dr7 = state.Dr7;
        if ((state.Rflags & RflagsBits.RF) == 0 && (dr7 & DebugExceptions.Dr7Enables) != 0)
        {
            ulong hits = DebugExceptions.InstructionHits(state, linear);
            if (hits != 0)
            {
                state.Dr6 = (state.Dr6 & ~DebugExceptions.Dr6Breakpoints) | hits | DebugExceptions.Dr6Fixed1;
                remaining--;
                return RaiseDebug();
            }
        }

        bool singleStep = (state.Rflags & RflagsBits.TF) != 0;
        ulong dataHits = 0;
        if (DebugExceptions.HasDataBreakpoints(dr7))
        {
            dataHits = DebugExceptions.AccessHits(state, instruction, _instructionInfo ??= new InstructionInfoFactory());
        }

        ulong pending = _pendingDebugTrap;
        _pendingDebugTrap = 0;
        ulong rip = state.Rip;
        long left = 1;
        _context.StringIterationLimit = 1;
        ExitReason reason = RunBlock(block, bitness, ref left, out bool delivered);
        _context.StringIterationLimit = StringInstructions.IterationsPerStep;
        remaining -= 1 - left;
        // HLT reports no trap either, as in QEMU: the vCPU halts with the trap dropped.
        if (delivered || reason is ExitReason.Exception or ExitReason.TripleFault or ExitReason.Halted)
        {
            return reason;
        }

        // RF lasts one instruction; IRET loads it from the image it pops. Between iterations of a
        // repeated string instruction it is set (SDM vol. 3, 18.3.1.1): the next iteration is no new
        // instruction for an instruction breakpoint, and a trap pushes RF=1 so IRET resumes likewise.
        if (state.Rip == rip && instruction.IsStringInstruction)
        {
            state.Rflags |= RflagsBits.RF;
        }
        else if (instruction.Mnemonic is not (Mnemonic.Iret or Mnemonic.Iretd or Mnemonic.Iretq))
        {
            state.Rflags &= ~RflagsBits.RF;
        }

        bool softwareInterrupt = instruction.Mnemonic is Mnemonic.Int or Mnemonic.Int3 or Mnemonic.Int1 or Mnemonic.Into
            && (state.Rflags & RflagsBits.TF) == 0;
        ulong bits = pending | dataHits | (singleStep && !softwareInterrupt ? DebugExceptions.Dr6BS : 0);
        if (bits == 0)
        {
            return reason;
        }

        if (state.InterruptShadow != 0 && IsStackSegmentLoad(instruction))
        {
            _pendingDebugTrap = bits;
            return reason;
        }

        ulong cleared = dataHits != 0 ? DebugExceptions.Dr6Breakpoints : 0;
        state.Dr6 = (state.Dr6 & ~cleared) | bits | DebugExceptions.Dr6Fixed1;
        return RaiseDebug();
    }

    /// <summary>#DB with RIP as it stands (at the instruction for a fault, past it for a trap).</summary>
    private ExitReason RaiseDebug()
    {
        LastFault = CpuFault.Simple(ExceptionVector.Debug);
        return DeliverExceptions ? Deliver(LastFault) : ExitReason.Exception;
    }

    private static bool IsStackSegmentLoad(in Instruction instruction) =>
        (instruction.Mnemonic == Mnemonic.Mov && instruction.Op0Kind == OpKind.Register && instruction.Op0Register == Register.SS)
        || (instruction.Mnemonic == Mnemonic.Pop && instruction.Op0Kind == OpKind.Register && instruction.Op0Register == Register.SS);
}
