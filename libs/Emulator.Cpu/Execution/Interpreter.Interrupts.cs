namespace Emulator.Cpu;

/// <summary>
/// External interrupts (SDM vol. 3, 6.8 and 6.9): at a block boundary, an NMI or (RFLAGS.IF = 1) a
/// maskable interrupt from <see cref="Interrupts"/> is delivered through the IDT/IVT before the next
/// instruction, so it also wins over that instruction's faults and wakes HLT. An STI/MOV SS shadow
/// holds it off for exactly one instruction (the block runs one instruction, then polls again); an
/// instruction that sets IF ends its block so the interrupt is taken right after it. Delivering an
/// NMI blocks further NMIs until the next IRET (<see cref="CpuState.NmiBlocked"/>); one arriving
/// meanwhile stays pending in the controller and is taken at the first boundary after that IRET.
/// </summary>
public sealed partial class Interpreter
{
    private const byte NmiVector = 2;

    /// <summary>The interrupt controller consulted between blocks; null means no external interrupts.</summary>
    public IInterruptController? Interrupts { get; set; }

    /// <summary>
    /// Continue (check <paramref name="delivered"/>), or the reason to end the run when delivery failed
    /// without <see cref="DeliverExceptions"/> or ended in a triple fault. <paramref name="stepOne"/>:
    /// an interrupt waits behind a shadow, run just one instruction.
    /// </summary>
    private ExitReason PollInterrupts(IInterruptController controller, ref long remaining, out bool delivered, out bool stepOne)
    {
        ref CpuState state = ref _vcpu.State;
        delivered = false;
        stepOne = false;
        bool nmi = state.NmiBlocked == 0 && controller.HasPendingNmi;
        bool maskable = !nmi && (state.Rflags & RflagsBits.IF) != 0 && controller.HasPendingInterrupt;
        if (!nmi && !maskable)
        {
            return ExitReason.Continue;
        }

        if (state.InterruptShadow != 0)
        {
            stepOne = true;
            return ExitReason.Continue;
        }

        byte vector;
        if (nmi)
        {
            controller.AcknowledgeNmi();
            vector = NmiVector;
            state.NmiBlocked = 1;
        }
        else
        {
            int acknowledged = controller.AcknowledgeInterrupt();
            if (acknowledged < 0)
            {
                return ExitReason.Continue;
            }

            vector = (byte)acknowledged;
        }

        state.Halted = 0;
        delivered = true;
        remaining--;
        if (InterruptDelivery.TryDeliver(_context, vector, InterruptSource.External, null, out CpuFault fault))
        {
            return ExitReason.Continue;
        }

        LastFault = fault;
        return DeliverExceptions ? Deliver(fault) : ExitReason.Exception;
    }

    /// <summary>Runs only the first instruction of <paramref name="block"/> (the one under an interrupt shadow).</summary>
    private ExitReason RunOne(DecodedBlock block, int bitness, ref long remaining, out bool faulted)
    {
        long one = Math.Min(1, remaining);
        long left = one;
        ExitReason reason = RunBlock(block, bitness, ref left, out faulted);
        remaining -= one - left;

        // The block did not run to its end: do not chain it to whatever comes next.
        faulted = true;
        return reason;
    }
}
