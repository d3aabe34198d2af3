using System.Buffers.Binary;
using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// What instruction handlers work through: registers by Iced <see cref="Register"/>, operands by
/// operand index, effective addresses, memory with faults as values, the stack, and flags. A handler
/// reads everything it needs, then writes memory (which may fault), then registers and flags, so a
/// faulting instruction leaves no trace (the interpreter restores RIP).
/// </summary>
public sealed partial class ExecutionContext
{
    private readonly Vcpu _vcpu;

    // The two memories the interpreter normally runs on, for scalar accesses without an interface call or staging buffer.
    private readonly FlatMemory? _flat;
    private readonly PagedMemory? _paged;

    public ExecutionContext(Vcpu vcpu, ICpuMemory memory, SystemServices? system = null)
    {
        ArgumentNullException.ThrowIfNull(vcpu);
        ArgumentNullException.ThrowIfNull(memory);
        _vcpu = vcpu;
        Memory = memory;
        _flat = memory as FlatMemory;
        _paged = memory as PagedMemory;
        System = system ?? new SystemServices(new CpuidModel(vcpu.Model, (uint)vcpu.Index));
    }

    public ICpuMemory Memory { get; }

    /// <summary>CPUID model, virtual clock and hooks for system instructions.</summary>
    public SystemServices System { get; }

    public ref CpuState State => ref _vcpu.State;

    /// <summary>
    /// Iterations one execution of a repeated string instruction may run before yielding: 1 while
    /// debug exceptions are armed, so single-step and data breakpoints see each iteration (SDM vol. 3, 18.3.1.4).
    /// </summary>
    public int StringIterationLimit { get; internal set; } = StringInstructions.IterationsPerStep;

    /// <summary>The fault of the last handler that returned <see cref="ExitReason.Exception"/>.</summary>
    public CpuFault Fault { get; private set; }

    public ExitReason Raise(CpuFault fault)
    {
        Fault = fault;
        return ExitReason.Exception;
    }

    public ExitReason Raise(byte vector) => Raise(CpuFault.Simple(vector));

    // ---- registers ----

    public static int SizeOf(Register register) => register.GetSize();

    public ulong ReadRegister(Register register)
    {
        ref CpuState s = ref State;

        // Widest first: 64- and 32-bit registers are by far the commonest operands and addresses.
        if (register >= Register.RAX && register <= Register.R15)
        {
            return s.Gpr[register - Register.RAX];
        }

        if (register >= Register.EAX && register <= Register.R15D)
        {
            return s.Gpr[register - Register.EAX] & 0xFFFF_FFFF;
        }

        if (register >= Register.AL && register <= Register.R15L)
        {
            int i = register - Register.AL;
            if (i is >= 4 and < 8)
            {
                return (s.Gpr[i - 4] >> 8) & 0xFF;
            }

            return s.Gpr[i < 4 ? i : i - 4] & 0xFF;
        }

        if (register >= Register.AX && register <= Register.R15W)
        {
            return s.Gpr[register - Register.AX] & 0xFFFF;
        }

        if (register >= Register.EAX && register <= Register.R15D)
        {
            return s.Gpr[register - Register.EAX] & 0xFFFF_FFFF;
        }

        if (register >= Register.RAX && register <= Register.R15)
        {
            return s.Gpr[register - Register.RAX];
        }

        return register switch
        {
            Register.RIP => s.Rip,
            Register.EIP => s.Rip & 0xFFFF_FFFF,
            _ => throw new ArgumentOutOfRangeException(nameof(register), register, "not a general-purpose register"),
        };
    }

    /// <summary>8/16-bit writes merge, 32-bit writes zero-extend to 64 (SDM vol. 1, 3.4.1.1).</summary>
    public void WriteRegister(Register register, ulong value)
    {
        ref CpuState s = ref State;
        if (register >= Register.AL && register <= Register.R15L)
        {
            int i = register - Register.AL;
            if (i is >= 4 and < 8)
            {
                ref ulong high = ref s.Gpr[i - 4];
                high = (high & ~0xFF00UL) | ((value & 0xFF) << 8);
                return;
            }

            ref ulong low = ref s.Gpr[i < 4 ? i : i - 4];
            low = (low & ~0xFFUL) | (value & 0xFF);
            return;
        }

        if (register >= Register.AX && register <= Register.R15W)
        {
            ref ulong r = ref s.Gpr[register - Register.AX];
            r = (r & ~0xFFFFUL) | (value & 0xFFFF);
            return;
        }

        if (register >= Register.EAX && register <= Register.R15D)
        {
            s.Gpr[register - Register.EAX] = value & 0xFFFF_FFFF;
            return;
        }

        if (register >= Register.RAX && register <= Register.R15)
        {
            s.Gpr[register - Register.RAX] = value;
            return;
        }

        throw new ArgumentOutOfRangeException(nameof(register), register, "not a general-purpose register");
    }

    /// <summary>Register number 0-15 of <paramref name="size"/> bytes, for accumulator forms (AL/AX/EAX/RAX, DX...).</summary>
    public static Register Gpr(int number, int size) => size switch
    {
        1 => number < 4 ? Register.AL + number : Register.AL + number + 4,
        2 => Register.AX + number,
        4 => Register.EAX + number,
        _ => Register.RAX + number,
    };

    // ---- operands ----

    /// <summary>The size in bytes of operand <paramref name="op"/> (register or memory; immediates take the instruction's size).</summary>
    public static int OperandSize(in Instruction instruction, int op) => instruction.GetOpKind(op) switch
    {
        OpKind.Register => instruction.GetOpRegister(op).GetSize(),
        OpKind.Memory => instruction.MemorySize.GetSize(),
        OpKind.Immediate8 => 1,
        OpKind.Immediate16 or OpKind.Immediate8to16 => 2,
        OpKind.Immediate32 or OpKind.Immediate8to32 => 4,
        _ => 8,
    };

    public bool TryReadOperand(in Instruction instruction, int op, int size, out ulong value, MemoryAccess access = MemoryAccess.Read)
    {
        switch (instruction.GetOpKind(op))
        {
            case OpKind.Register:
                value = ReadRegister(instruction.GetOpRegister(op)) & FlagMath.Mask(size);
                return true;
            case OpKind.Memory:
                value = 0;
                return TryLinearAddress(instruction, size, access, out ulong linear) && TryReadMemory(linear, size, out value, access);
            default:
                value = instruction.GetImmediate(op) & FlagMath.Mask(size);
                return true;
        }
    }

    public bool TryWriteOperand(in Instruction instruction, int op, int size, ulong value)
    {
        if (instruction.GetOpKind(op) == OpKind.Register)
        {
            WriteRegister(instruction.GetOpRegister(op), value & FlagMath.Mask(size));
            return true;
        }

        return TryLinearAddress(instruction, size, MemoryAccess.Write, out ulong linear) && TryWriteMemory(linear, size, value);
    }

    // ---- addresses ----

    /// <summary>
    /// The memory operand's effective address (SDM vol. 1, 3.7.5): base + index*scale + displacement,
    /// or RIP-relative, wrapped to the address size. No segment base (that is LEA's result).
    /// </summary>
    public ulong EffectiveAddress(in Instruction instruction) =>
        EffectiveAddress(instruction, 0);

    /// <summary>
    /// <see cref="EffectiveAddress(in Instruction)"/> plus <paramref name="extra"/> (BT's whole-operand steps of the
    /// bit offset) before the wrap to the address size.
    /// </summary>
    public ulong EffectiveAddress(in Instruction instruction, ulong extra)
    {
        if (instruction.IsIPRelativeMemoryOperand)
        {
            ulong ip = instruction.IPRelativeMemoryAddress + extra;
            return instruction.MemoryBase == Register.EIP ? ip & 0xFFFF_FFFF : ip;
        }

        Register baseRegister = instruction.MemoryBase;
        Register index = instruction.MemoryIndex;
        int addressSize = baseRegister != Register.None ? baseRegister.GetSize()
            : index != Register.None ? index.GetSize()
            : instruction.MemoryDisplSize switch { 2 => 2, 4 => 4, _ => 8 };
        ulong address = instruction.MemoryDisplacement64 + extra;
        if (baseRegister != Register.None)
        {
            address += ReadRegister(baseRegister);
        }

        if (index != Register.None)
        {
            address += ReadRegister(index) * (ulong)instruction.MemoryIndexScale;
        }

        return address & FlagMath.Mask(addressSize);
    }

    /// <summary>
    /// Effective address plus segment base, WITHOUT limit, type or canonical checks. Only for accesses the SDM does not
    /// check (INVLPG) and for callers not yet moved to <see cref="TryLinearAddress"/>; every data access should take that.
    /// </summary>
    public ulong LinearAddress(in Instruction instruction) =>
        SegmentBaseApplied(instruction.MemorySegment, EffectiveAddress(instruction));

    // ---- memory ----

    public bool TryReadMemory(ulong linear, int size, out ulong value, MemoryAccess access = MemoryAccess.Read)
    {
        value = 0;
        if (!IsScalarSize(size))
        {
            return false;
        }

        if (_flat is not null ? _flat.TryReadScalarFast(linear, size, out value)
            : _paged is not null && _paged.TryReadScalarFast(linear, size, access, out value))
        {
            return true;
        }

        Span<byte> buffer = stackalloc byte[8];
        buffer.Clear();
        if (!Memory.TryRead(linear, buffer[..size], access, out CpuFault fault))
        {
            Fault = fault;
            return false;
        }

        value = BinaryPrimitives.ReadUInt64LittleEndian(buffer);
        return true;
    }

    public bool TryWriteMemory(ulong linear, int size, ulong value)
    {
        if (!IsScalarSize(size))
        {
            return false;
        }

        if (_flat is not null ? _flat.TryWriteScalarFast(linear, size, value)
            : _paged is not null && _paged.TryWriteScalarFast(linear, size, value))
        {
            return true;
        }

        Span<byte> buffer = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(buffer, value);
        if (!Memory.TryWrite(linear, buffer[..size], MemoryAccess.Write, out CpuFault fault))
        {
            Fault = fault;
            return false;
        }

        return true;
    }

    /// <summary>A handler asked for an access no general-purpose operand has: treat the instruction as unsupported (#UD), never index out of the buffer.</summary>
    private bool IsScalarSize(int size)
    {
        if (size is 1 or 2 or 4 or 8)
        {
            return true;
        }

        Fault = CpuFault.Simple(ExceptionVector.InvalidOpcode);
        return false;
    }

    // ---- stack (SDM vol. 1, 6.2 "Stacks") ----

    /// <summary>The stack pointer's width: 8 in 64-bit mode, else SS.B selects ESP or SP.</summary>
    public int StackAddressSize
    {
        get
        {
            ref CpuState s = ref State;
            if (s.In64BitMode)
            {
                return 8;
            }

            return (s.Segments[(int)SegmentRegister.Ss].Flags & SegmentFlags.Big) != 0 ? 4 : 2;
        }
    }

    public ulong StackPointer => State.Gpr[(int)GeneralRegister.Rsp] & FlagMath.Mask(StackAddressSize);

    public void SetStackPointer(ulong value)
    {
        int size = StackAddressSize;
        ref ulong rsp = ref State.Gpr[(int)GeneralRegister.Rsp];
        ulong mask = FlagMath.Mask(size);
        rsp = size == 4 ? value & mask : (rsp & ~mask) | (value & mask);
    }

    /// <summary>Writes <paramref name="value"/> below the stack pointer through SS (limit checks: #SS(0)), then moves it; nothing changes on a fault.</summary>
    public bool TryPush(ulong value, int size)
    {
        ulong sp = (StackPointer - (ulong)size) & FlagMath.Mask(StackAddressSize);
        if (!TryWriteSegmented(Register.SS, sp, size, value))
        {
            return false;
        }

        SetStackPointer(sp);
        return true;
    }

    /// <summary>
    /// Reads the stack at SP + <paramref name="offset"/> through SS (limit checks: #SS(0)); the caller moves the stack
    /// pointer (<see cref="SetStackPointer"/>) once nothing else can fault.
    /// </summary>
    public bool TryPeek(int size, out ulong value, ulong offset = 0) =>
        TryReadSegmented(Register.SS, (StackPointer + offset) & FlagMath.Mask(StackAddressSize), size, out value);

    // ---- flags ----

    public ulong Rflags
    {
        get => State.Rflags;
        set => State.Rflags = value | RflagsBits.Fixed1;
    }

    public bool GetFlag(ulong flag) => (State.Rflags & flag) != 0;

    /// <summary>Replaces the six arithmetic flags (CF PF AF ZF SF OF) with <paramref name="status"/>.</summary>
    public void SetStatusFlags(ulong status) =>
        State.Rflags = (State.Rflags & ~FlagMath.Status) | status | RflagsBits.Fixed1;

    /// <summary>Replaces only the flags in <paramref name="which"/>.</summary>
    public void SetFlags(ulong which, ulong values) =>
        State.Rflags = (State.Rflags & ~which) | (values & which) | RflagsBits.Fixed1;

    /// <summary>Evaluates a condition code (SDM vol. 1, B.1 "Condition Codes").</summary>
    public bool Condition(ConditionCode condition)
    {
        ulong f = State.Rflags;
        bool cf = (f & RflagsBits.CF) != 0;
        bool zf = (f & RflagsBits.ZF) != 0;
        bool sf = (f & RflagsBits.SF) != 0;
        bool of = (f & RflagsBits.OF) != 0;
        bool pf = (f & RflagsBits.PF) != 0;
        return condition switch
        {
            ConditionCode.o => of,
            ConditionCode.no => !of,
            ConditionCode.b => cf,
            ConditionCode.ae => !cf,
            ConditionCode.e => zf,
            ConditionCode.ne => !zf,
            ConditionCode.be => cf || zf,
            ConditionCode.a => !cf && !zf,
            ConditionCode.s => sf,
            ConditionCode.ns => !sf,
            ConditionCode.p => pf,
            ConditionCode.np => !pf,
            ConditionCode.l => sf != of,
            ConditionCode.ge => sf == of,
            ConditionCode.le => zf || sf != of,
            ConditionCode.g => !zf && sf == of,
            _ => true,
        };
    }
}
