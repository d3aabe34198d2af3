using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// Intel SDM vol. 2, INS and OUTS (with REP): INS reads the port in DX into ES:rDI (no segment
/// override), OUTS writes seg:rSI (DS unless overridden) to it; the address size picks rSI/rDI/rCX,
/// DF the direction. The I/O permission check runs once per execution, before any iteration (also
/// with a count of 0, as hardware and QEMU do). Like <see cref="StringInstructions"/>, a repeated
/// instruction yields after <see cref="StringInstructions.IterationsPerStep"/> iterations with RIP at
/// itself, and a fault in iteration n leaves the registers as after iteration n-1.
/// <para>
/// INS probes its destination (stores zero) before it reads the port, as QEMU does, so a faulting
/// INS never consumes a byte from a device: the retried instruction sees the same data.
/// </para>
/// </summary>
internal static class PortStringInstructions
{
    public static void AddTo(DispatchTable table)
    {
        foreach (Code code in new[] { Code.Insb_m8_DX, Code.Insw_m16_DX, Code.Insd_m32_DX })
        {
            table.Add(code, (ExecutionContext c, in Instruction i) => Execute(c, i, input: true));
        }

        foreach (Code code in new[] { Code.Outsb_DX_m8, Code.Outsw_DX_m16, Code.Outsd_DX_m32 })
        {
            table.Add(code, (ExecutionContext c, in Instruction i) => Execute(c, i, input: false));
        }
    }

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

    private static ExitReason Execute(ExecutionContext cpu, in Instruction instruction, bool input)
    {
        int size = instruction.MemorySize.GetSize();
        int addressSize = AddressSize(instruction);
        ulong addressMask = FlagMath.Mask(addressSize);
        Register index = ExecutionContext.Gpr(input ? (int)GeneralRegister.Rdi : (int)GeneralRegister.Rsi, addressSize);
        Register cx = ExecutionContext.Gpr((int)GeneralRegister.Rcx, addressSize);
        bool repeat = instruction.HasRepPrefix || instruction.HasRepnePrefix;
        ulong step = cpu.GetFlag(RflagsBits.DF) ? 0 - (ulong)size : (ulong)size;
        ushort port = (ushort)cpu.ReadRegister(Register.DX);
        if (!IoPermission.Check(cpu, port, size, out CpuFault fault))
        {
            return cpu.Raise(fault);
        }

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

            ulong offset = cpu.ReadRegister(index);
            if (input)
            {
                // The destination is probed (segment and page) before the port is read: a faulting
                // INS must not consume a byte from the device.
                if (!cpu.TryApplySegment(Register.ES, offset, size, MemoryAccess.Write, out ulong linear)
                    || !cpu.TryWriteMemory(linear, size, 0)
                    || !cpu.TryWriteMemory(linear, size, PortInstructions.Read(cpu, port, size)))
                {
                    return ExitReason.Exception;
                }
            }
            else
            {
                if (!cpu.TryReadSegmented(instruction.MemorySegment, offset, size, out ulong value))
                {
                    return ExitReason.Exception;
                }

                PortInstructions.Write(cpu, port, size, (uint)value);
            }

            cpu.WriteRegister(index, (offset + step) & addressMask);
            if (!repeat)
            {
                return ExitReason.Continue;
            }

            cpu.WriteRegister(cx, count - 1);
        }
    }
}
