using System.Runtime.CompilerServices;
using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// Tier 0: runs a <see cref="Vcpu"/> one decoded instruction at a time, blocks from a
/// <see cref="DecodedBlockCache"/>, handlers from a <see cref="DispatchTable"/> keyed by Iced's
/// <see cref="Code"/>. Faults are values: <see cref="ExitReason.Exception"/> with RIP at the faulting
/// instruction and <see cref="LastFault"/> saying which, unless <see cref="DeliverExceptions"/> asks
/// for delivery through the IDT (<see cref="InterruptDelivery"/>), with #DF and triple fault.
/// No .NET exception escapes for any guest input. Not thread-safe: one per vCPU thread.
/// </summary>
public sealed partial class Interpreter
{
    private readonly Vcpu _vcpu;
    private readonly ExecutionContext _context;
    private readonly DispatchTable _table = new();
    private readonly CodePageTracker? _codePages;
    private readonly ICodeMemory? _codeMemory;

    // The TLB's epoch read directly (no interface call per block) when the memory is the soft-MMU.
    private readonly Tlb? _tlb;
    private long _retired;
    private volatile bool _exitRequested;

    /// <summary><paramref name="system"/> defaults to the vCPU model's CPUID and a host-monotonic clock.</summary>
    public Interpreter(Vcpu vcpu, ICpuMemory memory, SystemServices? system = null)
    {
        ArgumentNullException.ThrowIfNull(vcpu);
        ArgumentNullException.ThrowIfNull(memory);
        _vcpu = vcpu;
        _context = new ExecutionContext(vcpu, memory, system);
        _codeMemory = memory as ICodeMemory;
        _codePages = _codeMemory?.CodePages;
        _tlb = (memory as PagedMemory)?.Tlb;
        Blocks = new DecodedBlockCache(_codePages);
    }

    /// <summary>CPUID model, virtual clock (TSC offset) and control-register hook.</summary>
    public SystemServices System => _context.System;

    /// <summary>Instructions retired since construction (a faulting instruction does not count; HLT does).</summary>
    public long InstructionCount => _retired;

    /// <summary>The fault of the last <see cref="ExitReason.Exception"/> exit.</summary>
    public CpuFault LastFault { get; private set; }

    /// <summary>
    /// Off (the default): a fault ends <see cref="Run"/> with <see cref="ExitReason.Exception"/>. On: the
    /// fault is delivered through the IDT and execution goes on in its handler; a fault during delivery
    /// becomes #DF or is delivered serially (SDM vol. 3, Table 6-5), a fault while delivering #DF ends
    /// the run with <see cref="ExitReason.TripleFault"/>. Each delivery uses one unit of the run's
    /// budget (it does not count as a retired instruction), so a fault loop cannot hang a run.
    /// </summary>
    public bool DeliverExceptions { get; set; }

    /// <summary>Decoded code, keyed by physical address when the memory is an <see cref="ICodeMemory"/>.</summary>
    public DecodedBlockCache Blocks { get; }

    /// <summary>
    /// Thread-safe: guest physical memory [address, address+length) was written outside this vCPU
    /// (a device server, DMA, a debugger); decoded code there is dropped before the next block runs.
    /// A no-op when the memory does not track code (not an <see cref="ICodeMemory"/>).
    /// </summary>
    public void InvalidatePhysical(ulong address, ulong length) => _codePages?.InvalidatePhysical(address, length);

    /// <summary>
    /// Thread-safe: the current (or next) <see cref="Run"/> returns <see cref="ExitReason.InstructionLimit"/>
    /// after the instruction now running, as if its budget ran out; for a device whose write ends the run
    /// (isa-debug-exit, a reset or power-off register), so no guest code runs after it.
    /// </summary>
    public void RequestExit() => _exitRequested = true;

    /// <summary>One instruction: <see cref="ExitReason.InstructionLimit"/> when it retired normally.</summary>
    public ExitReason Step() => Run(1);

    /// <summary>
    /// Runs until <paramref name="maxInstructions"/> have retired, HLT retires, or an instruction
    /// faults. A halted vCPU (<see cref="CpuState.Halted"/>) stays halted and returns at once.
    /// A write to a page holding decoded code ends the block after the writing instruction, so the
    /// rest of the block is decoded again from the new bytes (as QEMU does).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // one long-running loop: optimise it up front rather than through OSR
    public ExitReason Run(long maxInstructions)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxInstructions);
        long remaining = maxInstructions;
        ref CpuState state = ref _vcpu.State;
        CodePageTracker? codePages = _codePages;
        DecodedBlock? previous = null;
        while (remaining > 0)
        {
            if (_exitRequested)
            {
                _exitRequested = false;
                return ExitReason.InstructionLimit;
            }

            bool stepOne = false;
            if (Interrupts is { } controller)
            {
                ExitReason polled = PollInterrupts(controller, ref remaining, out bool delivered, out stepOne);
                if (polled != ExitReason.Continue)
                {
                    return polled;
                }

                if (delivered)
                {
                    previous = null;
                    continue;
                }
            }

            if (state.Halted != 0)
            {
                return ExitReason.Halted;
            }

            if (codePages is not null && codePages.HasPendingWrites)
            {
                Blocks.ApplyPendingWrites();
            }

            // The mode byte's bit 0 is 64-bit mode and bit 1 CS.D: together they are the decoder's bitness.
            byte mode = BlockKey.ModeOf(state);
            bool longMode = (mode & 1) != 0;
            int bitness = longMode ? 64 : (mode & 2) != 0 ? 32 : 16;
            ulong linear = longMode ? state.Rip : (state.Segments[(int)SegmentRegister.Cs].Base + state.Rip) & 0xFFFF_FFFF;
            long epoch = Epoch();
            ulong csLimit = state.Segments[(int)SegmentRegister.Cs].Limit;
            DecodedBlock? block = previous?.FindSuccessor(linear, state.Rip, mode, epoch);
            if (block is null || !DecodedBlockCache.FitsLimit(block, linear, state.Rip, bitness, csLimit))
            {
                if (!Blocks.TryGet(_context.Memory, linear, state.Rip, bitness, mode, csLimit, out block, out CpuFault fault))
                {
                    previous = null;
                    LastFault = fault;
                    if (!DeliverExceptions)
                    {
                        return ExitReason.Exception;
                    }

                    remaining--;
                    ExitReason delivered = Deliver(fault);
                    if (delivered != ExitReason.Continue)
                    {
                        return delivered;
                    }

                    continue;
                }

                // Decoding may have invalidated (a full cache starts over): chain only under the new epoch.
                previous?.AddSuccessor(block, linear, Epoch());
            }

            TraceBlock(block, linear);
            bool fell;
            ExitReason reason = DebugArmed(state) ? RunDebugged(block, bitness, linear, ref remaining, out fell)
                : stepOne ? RunOne(block, bitness, ref remaining, out fell) : RunChain(ref block, bitness, ref remaining, out fell);

            // A HLT with an interrupt already waiting (STI; HLT) wakes at once: poll before reporting Halted.
            if (reason == ExitReason.Halted && Interrupts is not null && remaining > 0)
            {
                previous = null;
                continue;
            }

            if (reason != ExitReason.Continue)
            {
                return reason;
            }

            previous = fell ? null : block;
        }

        return ExitReason.InstructionLimit;
    }

    /// <summary>Blocks dropped plus translations flushed: chained successors are valid while it stays put.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private long Epoch() =>
        Blocks.Epoch + (_tlb is not null ? _tlb.Epoch : _codeMemory is null or FlatMemory ? 0 : _codeMemory.TranslationEpoch);

    /// <summary>
    /// Runs <paramref name="block"/> until it ends, a branch leaves it, a write hits code, or the
    /// budget runs out. Continue, or the reason to end the run. <paramref name="faulted"/>: it ended
    /// in a delivered fault (the next block is the handler, not a successor worth chaining).
    /// </summary>
    private ExitReason RunBlock(DecodedBlock block, int bitness, ref long remaining, out bool faulted)
    {
        InstructionHandler?[] handlers = block.Handlers ?? ResolveHandlers(block);
        ulong ipMask = bitness == 64 ? ulong.MaxValue : bitness == 32 ? 0xFFFF_FFFFUL : 0xFFFFUL;
        if (block.QuietHandlers is { } quiet)
        {
            return RunQuietBlock(block, quiet, ipMask, ref remaining, out faulted);
        }

        ref CpuState state = ref _vcpu.State;
        ExecutionContext context = _context;
        CodePageTracker? codePages = _codePages;
        Instruction[] instructions = block.Instructions;
        long budget = remaining;
        int count = (int)Math.Min(instructions.Length, budget);
        int i = 0;
        faulted = false;
        ExitReason result = ExitReason.Continue;
        while (i < count)
        {
            ref Instruction instruction = ref instructions[i];
            ulong rip = state.Rip;
            byte shadow = state.InterruptShadow;
            ulong watchedFlags = state.Rflags & (RflagsBits.IF | RflagsBits.TF);
            ulong next = instruction.NextIP & ipMask;

            // An STI/MOV SS shadow covers exactly one instruction; the handler may set a new one.
            state.InterruptShadow = 0;
            state.Rip = next;
            InstructionHandler? handler = handlers[i];
            ExitReason reason = handler is null ? context.Raise(ExceptionVector.InvalidOpcode) : handler(context, in instruction);
            if (reason == ExitReason.Exception)
            {
                if (!context.TakeTaskCommitted())
                {
                    state.Rip = rip;
                    state.InterruptShadow = shadow;
                }

                LastFault = context.Fault;
                if (!DeliverExceptions)
                {
                    result = reason;
                    break;
                }

                faulted = true;
                budget--;
                result = Deliver(LastFault);
                break;
            }

            i++;
            if (reason == ExitReason.Halted)
            {
                result = reason;
                break;
            }

            // Setting IF (STI, POPF) ends the block: a pending interrupt is taken at the next boundary;
            // setting TF too: the next instruction single-steps. A device that ended the run (RequestExit)
            // ends it right after the instruction that told it to.
            if (state.Rip != next || _exitRequested || (codePages is not null && codePages.HasPendingWrites) || (state.Rflags & ~watchedFlags & (RflagsBits.IF | RflagsBits.TF)) != 0)
            {
                break;
            }
        }

        _retired += i;
        remaining = budget - i;
        return result;
    }

    /// <summary>
    /// Delivers <paramref name="fault"/> (RIP at the faulting instruction); a fault during delivery
    /// escalates per SDM vol. 3, Table 6-5. Bounded: every chain reaches #DF, then triple fault.
    /// </summary>
    private ExitReason Deliver(CpuFault fault)
    {
        CpuFault current = fault;
        for (int attempt = 0; attempt < 8; attempt++)
        {
            TraceDelivery(current);
            if (current.Vector == ExceptionVector.PageFault)
            {
                _vcpu.State.Cr2 = current.Cr2;
            }

            if (InterruptDelivery.TryDeliver(_context, current.Vector, InterruptSource.Exception, current.HasErrorCode ? current.ErrorCode : null, out CpuFault nested))
            {
                return ExitReason.Continue;
            }

            LastFault = nested;
            if (current.Vector == ExceptionVector.DoubleFault)
            {
                return ExitReason.TripleFault;
            }

            current = ExceptionVector.CausesDoubleFault(current.Vector, nested.Vector)
                ? new CpuFault(ExceptionVector.DoubleFault, 0, 0, true)
                : nested;
        }

        return ExitReason.TripleFault;
    }

    /// <summary>
    /// The handler of each instruction, or null where it is unsupported (#UD when it runs), attached
    /// to <paramref name="block"/> with what <see cref="RunQuietBlock"/> needs to know.
    /// </summary>
    private InstructionHandler?[] ResolveHandlers(DecodedBlock block)
    {
        Instruction[] instructions = block.Instructions;
        var handlers = new InstructionHandler?[instructions.Length];
        var fast = new InstructionHandler[instructions.Length];
        bool quiet = instructions.Length <= 64;
        ulong memoryMask = 0;
        for (int i = 0; i < instructions.Length; i++)
        {
            bool supported = IsSupported(instructions[i]);
            InstructionHandler? selected = supported ? FastHandlers.Select(instructions[i]) : null;
            handlers[i] = selected ?? (supported ? _table[instructions[i].Code] : null);
            if (selected is null)
            {
                quiet = false;
            }
            else
            {
                fast[i] = selected;
            }

            if (i < 64 && AccessesMemory(instructions[i]))
            {
                memoryMask |= 1UL << i;
            }
        }

        block.QuietHandlers = quiet ? fast : null;
        block.MemoryMask = memoryMask;
        block.Handlers = handlers;
        return handlers;
    }

    /// <summary>
    /// Register operands must be of a class the handler claimed (<see cref="OperandRegisters"/>);
    /// LOCK is valid only on a lockable instruction with a memory destination (SDM vol. 2, "LOCK"),
    /// else #UD.
    /// </summary>
    private bool IsSupported(in Instruction instruction)
    {
        if (instruction.IsInvalid)
        {
            return false;
        }

        OperandRegisters accepted = _table.RegistersOf(instruction.Code);
        for (int i = 0; i < instruction.OpCount; i++)
        {
            if (instruction.GetOpKind(i) == OpKind.Register
                && (OperandRegisterClass.Of(instruction.GetOpRegister(i)) & accepted) == 0)
            {
                return false;
            }
        }

        if (instruction.HasLockPrefix)
        {
            return instruction.Op0Kind == OpKind.Memory && _table.IsLockable(instruction.Mnemonic);
        }

        return true;
    }
}
