using System.Runtime.CompilerServices;
using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// Blocks of <see cref="FastHandlers"/> only (<see cref="DecodedBlock.QuietHandlers"/>): none halts,
/// touches RFLAGS.IF/TF, sets an interrupt shadow, changes the mode or (in this vCPU) the decoded
/// code or the translations, so between their instructions only a branch, a fault and, after a memory
/// access, an exit request or a write to code can matter; and from one such block to its chained
/// successor in 64-bit mode only those and a pending interrupt. Same outcome as <see cref="RunBlock"/>
/// and the <see cref="Run"/> loop, with less work per instruction and per block.
/// </summary>
public sealed partial class Interpreter
{
    /// <summary>
    /// <see cref="RunBlock"/>, then, while nothing needs the <see cref="Run"/> loop's attention, the
    /// chained quiet successors of quiet blocks; <paramref name="block"/> ends as the last block run.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // it may loop for the whole run: optimise it up front rather than through OSR
    private ExitReason RunChain(ref DecodedBlock block, int bitness, ref long remaining, out bool faulted)
    {
        ExitReason reason = RunBlock(block, bitness, ref remaining, out faulted);
        if (bitness != 64 || _context.Tracer is not null)
        {
            return reason;
        }

        ref CpuState state = ref _vcpu.State;
        DecodedBlock last = block;
        while (reason == ExitReason.Continue && !faulted && remaining > 0 && last.QuietHandlers is not null
            && !_exitRequested && !(_codePages is not null && _codePages.HasPendingWrites) && !InterruptWaiting(state))
        {
            // In 64-bit mode the linear address is RIP, and a quiet block left the mode as it found it.
            DecodedBlock? next = last.FindSuccessor(state.Rip, state.Rip, last.Key.Mode, Epoch());
            if (next?.QuietHandlers is not { } handlers)
            {
                break;
            }

            last = next;
            reason = RunQuietBlock(next, handlers, ulong.MaxValue, ref remaining, out faulted);
        }

        block = last;
        return reason;
    }

    /// <summary>Whether <see cref="PollInterrupts"/> would act: an NMI, or a maskable interrupt that IF lets in.</summary>
    private bool InterruptWaiting(in CpuState state) =>
        Interrupts is { } controller && (controller.HasPendingNmi || ((state.Rflags & RflagsBits.IF) != 0 && controller.HasPendingInterrupt));

    /// <summary>
    /// <see cref="RunBlock"/> for a <see cref="DecodedBlock.QuietHandlers"/> block, with the same outcome: its
    /// handlers never set IF, TF or an interrupt shadow and never halt, so only a branch, a fault, and
    /// (after an instruction that accesses memory) an exit request or a write to code end it early.
    /// The shadow the block was entered with covers its first instruction, as in <see cref="RunBlock"/>.
    /// </summary>
    private ExitReason RunQuietBlock(DecodedBlock block, InstructionHandler[] handlers, ulong ipMask, ref long remaining, out bool faulted)
    {
        ref CpuState state = ref _vcpu.State;
        ExecutionContext context = _context;
        Instruction[] instructions = block.Instructions;
        ulong memoryMask = block.MemoryMask;
        long budget = remaining;
        int count = (int)Math.Min(instructions.Length, budget);
        byte shadow = state.InterruptShadow;
        state.InterruptShadow = 0;
        ulong rip = state.Rip;
        int i = 0;
        faulted = false;
        ExitReason result = ExitReason.Continue;
        while (i < count)
        {
            ref Instruction instruction = ref instructions[i];
            ulong next = instruction.NextIP & ipMask;
            state.Rip = next;
            ExitReason reason = handlers[i](context, in instruction);
            if (reason != ExitReason.Continue)
            {
                if (reason == ExitReason.Exception)
                {
                    state.Rip = rip;
                    state.InterruptShadow = i == 0 ? shadow : (byte)0;
                    LastFault = context.Fault;
                    if (DeliverExceptions)
                    {
                        faulted = true;
                        budget--;
                        reason = Deliver(LastFault);
                    }

                    result = reason;
                    break;
                }

                i++;
                result = reason;
                break;
            }

            i++;
            if (state.Rip != next
                || (((memoryMask >> (i - 1)) & 1) != 0 && (_exitRequested || (_codePages is not null && _codePages.HasPendingWrites))))
            {
                break;
            }

            rip = next;
        }

        _retired += i;
        remaining = budget - i;
        return result;
    }

    /// <summary>A memory operand (LEA's too: harmless) or a stack access.</summary>
    private static bool AccessesMemory(in Instruction instruction)
    {
        if (instruction.StackPointerIncrement != 0)
        {
            return true;
        }

        for (int i = 0; i < instruction.OpCount; i++)
        {
            if (instruction.GetOpKind(i) == OpKind.Memory)
            {
                return true;
            }
        }

        return false;
    }
}
