using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// Intel SDM vol. 1, 7.3.9 "String Operations"; vol. 2 MOVS, STOS, LODS, CMPS, SCAS and REP/REPE/REPNE.
/// The source is seg:rSI (DS unless overridden), the destination ES:rDI (no override); the address
/// size (67h) picks rSI/rDI/rCX as 64, 32 or 16 bits, and a 16-bit index wraps within its 16 bits.
/// DF chooses the direction. F2 on MOVS/STOS/LODS repeats like F3.
/// <para>
/// Interruptibility (SDM vol. 1, 7.3.9.3): a repeated instruction runs at most
/// <see cref="IterationsPerStep"/> iterations per execution; when iterations remain it leaves RIP at
/// itself with rCX/rSI/rDI updated, so the interpreter retires it as one instruction against the
/// <c>Run</c> budget and the next step resumes it. A fault in iteration n leaves the registers as
/// after iteration n-1 and RIP at the instruction, as hardware does. With a count of 0 nothing happens.
/// </para>
/// </summary>
public static class StringInstructions
{
    /// <summary>Iterations one execution of a repeated string instruction may run before yielding.</summary>
    public const int IterationsPerStep = 1024;

    private enum Kind
    {
        Movs,
        Stos,
        Lods,
        Cmps,
        Scas,
    }

    public static void AddTo(DispatchTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        Add(table, Kind.Movs, Code.Movsb_m8_m8, Code.Movsw_m16_m16, Code.Movsd_m32_m32, Code.Movsq_m64_m64);
        Add(table, Kind.Stos, Code.Stosb_m8_AL, Code.Stosw_m16_AX, Code.Stosd_m32_EAX, Code.Stosq_m64_RAX);
        Add(table, Kind.Lods, Code.Lodsb_AL_m8, Code.Lodsw_AX_m16, Code.Lodsd_EAX_m32, Code.Lodsq_RAX_m64);
        Add(table, Kind.Cmps, Code.Cmpsb_m8_m8, Code.Cmpsw_m16_m16, Code.Cmpsd_m32_m32, Code.Cmpsq_m64_m64);
        Add(table, Kind.Scas, Code.Scasb_AL_m8, Code.Scasw_AX_m16, Code.Scasd_EAX_m32, Code.Scasq_RAX_m64);
    }

    private static void Add(DispatchTable table, Kind kind, params Code[] codes)
    {
        foreach (Code code in codes)
        {
            table.Add(code, (ExecutionContext c, in Instruction i) => Execute(c, i, kind));
        }
    }

    /// <summary>The address size in bytes, from the kind of the rSI/rDI operand Iced decoded.</summary>
    private static int AddressSize(in Instruction instruction)
    {
        for (int i = 0; i < instruction.OpCount; i++)
        {
            switch (instruction.GetOpKind(i))
            {
                case OpKind.MemorySegRSI or OpKind.MemoryESRDI: return 8;
                case OpKind.MemorySegESI or OpKind.MemoryESEDI: return 4;
                case OpKind.MemorySegSI or OpKind.MemoryESDI: return 2;
                default: break;
            }
        }

        return 8;
    }

    private static ExitReason Execute(ExecutionContext cpu, in Instruction instruction, Kind kind)
    {
        int size = instruction.MemorySize.GetSize();
        int addressSize = AddressSize(instruction);
        ulong addressMask = FlagMath.Mask(addressSize);
        Register si = ExecutionContext.Gpr((int)GeneralRegister.Rsi, addressSize);
        Register di = ExecutionContext.Gpr((int)GeneralRegister.Rdi, addressSize);
        Register cx = ExecutionContext.Gpr((int)GeneralRegister.Rcx, addressSize);
        Register accumulator = ExecutionContext.Gpr(0, size);
        bool compares = kind is Kind.Cmps or Kind.Scas;
        bool repeat = instruction.HasRepPrefix || instruction.HasRepePrefix || instruction.HasRepnePrefix;
        bool untilEqual = compares && instruction.HasRepnePrefix;
        ulong step = cpu.GetFlag(RflagsBits.DF) ? 0 - (ulong)size : (ulong)size;
        bool usesSource = kind is Kind.Movs or Kind.Lods or Kind.Cmps;
        bool usesDestination = kind != Kind.Lods;

        for (int iteration = 0; ; iteration++)
        {
            ulong count = repeat ? cpu.ReadRegister(cx) : 1;
            if (count == 0)
            {
                return ExitReason.Continue;
            }

            if (iteration == cpu.StringIterationLimit)
            {
                cpu.State.Rip = instruction.IP;
                return ExitReason.Continue;
            }

            ulong sourceOffset = cpu.ReadRegister(si);
            ulong destinationOffset = cpu.ReadRegister(di);
            ulong source = 0;
            ulong destination = 0;
            // Each element is translated with the full segment checks, so a REP that runs past a limit stops with
            // rCX/rSI/rDI naming the faulting element (SDM vol. 2, REP: the registers are restartable).
            if (usesSource && !cpu.TryReadSegmented(instruction.MemorySegment, sourceOffset, size, out source))
            {
                return ExitReason.Exception;
            }

            ulong destinationLinear = 0;
            if (usesDestination
                && !cpu.TryApplySegment(Register.ES, destinationOffset, size, compares ? MemoryAccess.Read : MemoryAccess.Write, out destinationLinear))
            {
                return ExitReason.Exception;
            }

            if (compares && !cpu.TryReadMemory(destinationLinear, size, out destination))
            {
                return ExitReason.Exception;
            }

            bool stored = kind switch
            {
                Kind.Movs => cpu.TryWriteMemory(destinationLinear, size, source),
                Kind.Stos => cpu.TryWriteMemory(destinationLinear, size, cpu.ReadRegister(accumulator)),
                _ => true,
            };
            if (!stored)
            {
                return ExitReason.Exception;
            }

            if (kind == Kind.Lods)
            {
                cpu.WriteRegister(accumulator, source);
            }
            else if (compares)
            {
                ulong left = kind == Kind.Cmps ? source : cpu.ReadRegister(accumulator);
                cpu.SetStatusFlags(FlagMath.Sub(left, destination, 0, left - destination, size));
            }

            if (usesSource)
            {
                cpu.WriteRegister(si, (sourceOffset + step) & addressMask);
            }

            if (usesDestination)
            {
                cpu.WriteRegister(di, (destinationOffset + step) & addressMask);
            }

            if (!repeat)
            {
                return ExitReason.Continue;
            }

            cpu.WriteRegister(cx, count - 1);
            if (compares && cpu.GetFlag(RflagsBits.ZF) == untilEqual)
            {
                return ExitReason.Continue;
            }
        }
    }
}
