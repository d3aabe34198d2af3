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

    /// <summary>Whether <see cref="PollInterrupts"/> would act: an NMI not blocked by an earlier one, or a maskable interrupt that IF lets in.</summary>
    private bool InterruptWaiting(in CpuState state) =>
        Interrupts is { } controller
        && ((state.NmiBlocked == 0 && controller.HasPendingNmi) || ((state.Rflags & RflagsBits.IF) != 0 && controller.HasPendingInterrupt));

    /// <summary>
    /// <see cref="RunBlock"/> for a <see cref="DecodedBlock.QuietHandlers"/> block, with the same outcome: its
    /// handlers never set IF, TF or an interrupt shadow and never halt, so only a branch, a fault, and
    /// (after an instruction that accesses memory) an exit request or a write to code end it early.
    /// The shadow the block was entered with covers its first instruction, as in <see cref="RunBlock"/>.
    /// </summary>
    private ExitReason RunQuietBlock(DecodedBlock block, InstructionHandler[] handlers, ulong ipMask, ref long remaining, out bool faulted)
    {
        ref CpuState state = ref _vcpu.State;
        byte shadow = state.InterruptShadow;
        ulong entry = state.Rip;
        state.InterruptShadow = 0;
        long budget = remaining;
        int count = (int)Math.Min(handlers.Length, budget);
        Instruction[] instructions = block.Instructions;
        int i = ipMask == ulong.MaxValue
            ? RunQuietInstructions<Ip64>(instructions, handlers, block.MemoryMask, count, out ExitReason reason)
            : ipMask == uint.MaxValue
                ? RunQuietInstructions<Ip32>(instructions, handlers, block.MemoryMask, count, out reason)
                : RunQuietInstructions<Ip16>(instructions, handlers, block.MemoryMask, count, out reason);
        faulted = false;
        if (reason == ExitReason.Exception)
        {
            // Instruction i ran from where instruction i - 1 led, since only a branch leaves the block.
            state.Rip = i == 0 ? entry : instructions[i - 1].NextIP & ipMask;
            state.InterruptShadow = i == 0 ? shadow : (byte)0;
            LastFault = _context.Fault;
            if (DeliverExceptions)
            {
                faulted = true;
                budget--;
                reason = Deliver(LastFault);
            }
        }
        else if (reason != ExitReason.Continue)
        {
            // No quiet handler halts, but whatever else one returns, it retired.
            i++;
        }

        _retired += i;
        remaining = budget - i;
        return reason;
    }

    /// <summary>
    /// Runs instructions [0, <paramref name="count"/>): the index of one that did not continue (its
    /// <paramref name="reason"/>), else how many ran (Continue) before a branch, an exit request or a
    /// write to code stopped them, or all. Few live values, so the loop keeps them in registers.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int RunQuietInstructions<TIp>(Instruction[] instructions, InstructionHandler[] handlers, ulong memoryMask, int count, out ExitReason reason)
        where TIp : struct, IInstructionPointerWidth
    {
        ref CpuState state = ref _vcpu.State;
        ExecutionContext context = _context;
        for (int i = 0; i < count; i++)
        {
            ref Instruction instruction = ref instructions[i];
            ulong next = instruction.NextIP & TIp.Mask;
            state.Rip = next;
            reason = handlers[i](context, in instruction);
            if (reason != ExitReason.Continue)
            {
                return i;
            }

            if (state.Rip != next || (((memoryMask >> i) & 1) != 0 && (_exitRequested || (_codePages is not null && _codePages.HasPendingWrites))))
            {
                return i + 1;
            }
        }

        reason = ExitReason.Continue;
        return count;
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

    private interface IInstructionPointerWidth
    {
        static abstract ulong Mask { get; }
    }

    private struct Ip64 : IInstructionPointerWidth
    {
        public static ulong Mask => ulong.MaxValue;
    }

    private struct Ip32 : IInstructionPointerWidth
    {
        public static ulong Mask => uint.MaxValue;
    }

    private struct Ip16 : IInstructionPointerWidth
    {
        public static ulong Mask => ushort.MaxValue;
    }
}
