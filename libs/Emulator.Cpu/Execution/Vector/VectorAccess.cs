using System.Runtime.InteropServices;
using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// Operand access shared by the MMX/SSE handlers: availability faults (SDM vol. 3, 13.1 and 12.5:
/// CR0.EM -> #UD, CR4.OSFXSR clear -> #UD for SSE, CR0.TS -> #NM), 64/128-bit operands as
/// <see cref="XmmRegister"/> values from XMM, MMX, general registers or memory (with the 16-byte
/// alignment rule of legacy SSE), and the MMX side effects on the x87 state. An MMX register i is
/// the significand of physical x87 register Ri; writing it sets that register's exponent to all ones.
/// </summary>
public static class VectorAccess
{
    /// <summary>
    /// The MXCSR bits software may set (FXSAVE's MXCSR_MASK): bits 0-15, as QEMU's TCG reports. Our CPUID does
    /// not advertise AMD's MisAlignSse, so bit 17 (MXCSR.MM) is reserved: LDMXCSR/FXRSTOR with it set raise #GP(0).
    /// </summary>
    public const uint MxcsrMask = 0xFFFF;

    public static Span<byte> Bytes(ref XmmRegister value) => MemoryMarshal.AsBytes(MemoryMarshal.CreateSpan(ref value, 1));

    public static bool UsesMmx(in Instruction instruction)
    {
        for (int op = 0; op < instruction.OpCount; op++)
        {
            if (instruction.GetOpKind(op) == OpKind.Register && instruction.GetOpRegister(op).IsMM())
            {
                return true;
            }
        }

        return false;
    }

    public static bool UsesXmm(in Instruction instruction)
    {
        for (int op = 0; op < instruction.OpCount; op++)
        {
            if (instruction.GetOpKind(op) == OpKind.Register && instruction.GetOpRegister(op).IsXMM())
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The device-availability checks, in the SDM's priority (#UD before #NM). An instruction with
    /// no XMM or MMX register operand (MOVNTI, LDMXCSR, FXSAVE...) passes <paramref name="sse"/> explicitly.
    /// </summary>
    public static bool TryCheckAvailable(ExecutionContext cpu, in Instruction instruction, bool sse = false)
    {
        ref CpuState s = ref cpu.State;
        bool needsSse = sse || UsesXmm(instruction);
        if ((s.Cr0 & Cr0Bits.EM) != 0 || (needsSse && (s.Cr4 & Cr4Bits.OSFXSR) == 0))
        {
            cpu.Raise(ExceptionVector.InvalidOpcode);
            return false;
        }

        if ((s.Cr0 & Cr0Bits.TS) != 0)
        {
            cpu.Raise(ExceptionVector.DeviceNotAvailable);
            return false;
        }

        return true;
    }

    /// <summary>
    /// Whether a 16-byte memory operand of this legacy-SSE instruction must be 16-byte aligned (SDM vol. 1, 11.4.1.1
    /// / 12.1): all but the explicitly unaligned forms; FXSAVE/FXRSTOR check on their own.
    /// </summary>
    public static bool RequiresAlignment(in Instruction instruction) =>
        instruction.Mnemonic is not (Mnemonic.Movups or Mnemonic.Movupd or Mnemonic.Movdqu or Mnemonic.Lddqu or Mnemonic.Maskmovdqu);

    /// <summary>Reads operand <paramref name="op"/> zero-extended into a 128-bit value; a memory operand reads the instruction's memory size.</summary>
    public static bool TryRead(ExecutionContext cpu, in Instruction instruction, int op, out XmmRegister value)
    {
        value = default;
        switch (instruction.GetOpKind(op))
        {
            case OpKind.Register:
                value = ReadRegister(cpu, instruction.GetOpRegister(op));
                return true;
            case OpKind.Memory:
                int size = instruction.MemorySize.GetSize();
                return cpu.TryLinearAddress(instruction, size, MemoryAccess.Read, out ulong linear)
                    && TryReadMemory(cpu, instruction, linear, size, out value);
            default:
                value.Low = instruction.GetImmediate(op);
                return true;
        }
    }

    public static bool TryReadMemory(ExecutionContext cpu, in Instruction instruction, ulong linear, int size, out XmmRegister value, MemoryAccess access = MemoryAccess.Read)
    {
        value = default;
        if (!TryCheckAlignment(cpu, instruction, linear, size))
        {
            return false;
        }

        if (!cpu.Memory.TryRead(linear, Bytes(ref value)[..size], access, out CpuFault fault))
        {
            cpu.Raise(fault);
            return false;
        }

        return true;
    }

    public static bool TryWriteMemory(ExecutionContext cpu, in Instruction instruction, ulong linear, int size, XmmRegister value)
    {
        if (!TryCheckAlignment(cpu, instruction, linear, size))
        {
            return false;
        }

        if (!cpu.Memory.TryWrite(linear, Bytes(ref value)[..size], MemoryAccess.Write, out CpuFault fault))
        {
            cpu.Raise(fault);
            return false;
        }

        return true;
    }

    private static bool TryCheckAlignment(ExecutionContext cpu, in Instruction instruction, ulong linear, int size)
    {
        if (size == 16 && (linear & 15) != 0 && RequiresAlignment(instruction))
        {
            cpu.Raise(CpuFault.GeneralProtection());
            return false;
        }

        return true;
    }

    public static XmmRegister ReadRegister(ExecutionContext cpu, Register register)
    {
        ref CpuState s = ref cpu.State;
        if (register.IsXMM())
        {
            return s.Xmm[register - Register.XMM0];
        }

        if (register.IsMM())
        {
            return new XmmRegister { Low = s.Fpr[register - Register.MM0].Significand };
        }

        return new XmmRegister { Low = cpu.ReadRegister(register) };
    }

    /// <summary>
    /// Writes a register destination: all 128 bits of an XMM register, the low 64 of an MMX register,
    /// or a general register (32-bit writes zero-extend). Memory is written through <see cref="TryWrite"/>.
    /// </summary>
    public static void WriteRegister(ExecutionContext cpu, Register register, XmmRegister value)
    {
        ref CpuState s = ref cpu.State;
        if (register.IsXMM())
        {
            s.Xmm[register - Register.XMM0] = value;
        }
        else if (register.IsMM())
        {
            ref Float80 r = ref s.Fpr[register - Register.MM0];
            r.Significand = value.Low;
            r.SignExponent = 0xFFFF;
        }
        else
        {
            cpu.WriteRegister(register, value.Low);
        }
    }

    /// <summary>Writes operand <paramref name="op"/> (register or memory of the instruction's memory size); memory goes first so a fault leaves nothing changed.</summary>
    public static bool TryWrite(ExecutionContext cpu, in Instruction instruction, int op, XmmRegister value)
    {
        if (instruction.GetOpKind(op) == OpKind.Memory)
        {
            int size = instruction.MemorySize.GetSize();
            if (!cpu.TryLinearAddress(instruction, size, MemoryAccess.Write, out ulong linear)
                || !TryWriteMemory(cpu, instruction, linear, size, value))
            {
                return false;
            }
        }
        else
        {
            WriteRegister(cpu, instruction.GetOpRegister(op), value);
        }

        return true;
    }

    /// <summary>Every MMX instruction but EMMS empties nothing and marks all eight x87 registers valid with TOP = 0 (SDM vol. 1, 9.5.1).</summary>
    public static void EnterMmxState(ExecutionContext cpu)
    {
        cpu.State.FpuTop = 0;
        cpu.State.Ftw = 0xFF;
    }

    /// <summary>Call once an instruction can no longer fault: applies the MMX transition if it touched an MMX register.</summary>
    public static void Retire(ExecutionContext cpu, in Instruction instruction)
    {
        if (UsesMmx(instruction))
        {
            EnterMmxState(cpu);
        }
    }

    /// <summary>The register width of operand 0 (8 for MMX, 16 for XMM), which sets the lane count of packed integer forms.</summary>
    public static int Width(in Instruction instruction) =>
        instruction.Op0Kind == OpKind.Register && instruction.Op0Register.IsMM() ? 8 : 16;
}
