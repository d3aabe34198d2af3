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

    /// <summary><paramref name="system"/> defaults to the vCPU model's CPUID and a host-monotonic clock.</summary>
    public Interpreter(Vcpu vcpu, ICpuMemory memory, SystemServices? system = null)
    {
        ArgumentNullException.ThrowIfNull(vcpu);
        ArgumentNullException.ThrowIfNull(memory);
        _vcpu = vcpu;
        _context = new ExecutionContext(vcpu, memory, system);
    }

    /// <summary>CPUID model, virtual clock (TSC offset) and control-register hook.</summary>
    public SystemServices System => _context.System;

    /// <summary>Instructions retired since construction (a faulting instruction does not count; HLT does).</summary>
    public long InstructionCount { get; private set; }

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

    /// <summary>Decoded code; call its invalidation methods when guest code may have changed.</summary>
    public DecodedBlockCache Blocks { get; } = new();

    /// <summary>One instruction: <see cref="ExitReason.InstructionLimit"/> when it retired normally.</summary>
    public ExitReason Step() => Run(1);

    /// <summary>
    /// Runs until <paramref name="maxInstructions"/> have retired, HLT retires, or an instruction
    /// faults. A halted vCPU (<see cref="CpuState.Halted"/>) stays halted and returns at once.
    /// </summary>
    public ExitReason Run(long maxInstructions)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxInstructions);
        long remaining = maxInstructions;
        while (remaining > 0)
        {
            ref CpuState state = ref _vcpu.State;
            if (state.Halted != 0)
            {
                return ExitReason.Halted;
            }

            bool longMode = state.In64BitMode;
            int bitness = longMode ? 64
                : (state.Segments[(int)SegmentRegister.Cs].Flags & SegmentFlags.Big) != 0 ? 32 : 16;
            ulong linear = longMode ? state.Rip : (state.Segments[(int)SegmentRegister.Cs].Base + state.Rip) & 0xFFFF_FFFF;
            if (!Blocks.TryGet(_context.Memory, linear, state.Rip, bitness, BlockKey.ModeOf(state), out DecodedBlock? block, out CpuFault fault))
            {
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

            TraceBlock(block, linear);
            IReadOnlyList<Instruction> instructions = block.Instructions;
            for (int i = 0; i < instructions.Count && remaining > 0; i++)
            {
                Instruction instruction = instructions[i];
                ExitReason reason = Execute(instruction, bitness);
                if (reason == ExitReason.Exception)
                {
                    if (!DeliverExceptions)
                    {
                        return reason;
                    }

                    remaining--;
                    ExitReason delivered = Deliver(LastFault);
                    if (delivered != ExitReason.Continue)
                    {
                        return delivered;
                    }

                    break;
                }

                InstructionCount++;
                remaining--;
                if (reason == ExitReason.Halted)
                {
                    return reason;
                }

                if (_vcpu.State.Rip != NextIp(instruction, bitness))
                {
                    break;
                }
            }
        }

        return ExitReason.InstructionLimit;
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

    private static ulong NextIp(in Instruction instruction, int bitness) =>
        bitness == 64 ? instruction.NextIP : instruction.NextIP & (bitness == 32 ? 0xFFFF_FFFFUL : 0xFFFFUL);

    private ExitReason Execute(in Instruction instruction, int bitness)
    {
        ref CpuState state = ref _vcpu.State;
        ulong rip = state.Rip;
        byte shadow = state.InterruptShadow;

        // An STI/MOV SS shadow covers exactly one instruction; the handler may set a new one.
        state.InterruptShadow = 0;
        state.Rip = NextIp(instruction, bitness);
        ExitReason reason = IsSupported(instruction) && _table[instruction.Code] is { } handler
            ? handler(_context, instruction)
            : _context.Raise(ExceptionVector.InvalidOpcode);
        if (reason == ExitReason.Exception)
        {
            _vcpu.State.Rip = rip;
            _vcpu.State.InterruptShadow = shadow;
            LastFault = _context.Fault;
        }

        return reason;
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
