using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// FXSAVE/FXRSTOR and their REX.W forms (SDM vol. 2): #NM when CR0.TS or CR0.EM is set, #GP(0) on an
/// operand not 16-byte aligned or (FXRSTOR) a reserved MXCSR bit. With CR4.OSFXSR clear only the x87
/// part is saved and restored (the SDM leaves the rest implementation-specific).
/// </summary>
public static class FxsaveInstructions
{
    public static void AddTo(DispatchTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        table.Add(Mnemonic.Fxsave, (ExecutionContext c, in Instruction i) => Save(c, i, false));
        table.Add(Mnemonic.Fxsave64, (ExecutionContext c, in Instruction i) => Save(c, i, true));
        table.Add(Mnemonic.Fxrstor, (ExecutionContext c, in Instruction i) => Restore(c, i, false));
        table.Add(Mnemonic.Fxrstor64, (ExecutionContext c, in Instruction i) => Restore(c, i, true));
    }

    /// <summary>#NM first, then the 512-byte area through the segment checks, then the alignment rule.</summary>
    private static bool TryCheck(ExecutionContext cpu, in Instruction instruction, MemoryAccess access, out ulong linear)
    {
        linear = 0;
        if ((cpu.State.Cr0 & (Cr0Bits.TS | Cr0Bits.EM)) != 0)
        {
            cpu.Raise(ExceptionVector.DeviceNotAvailable);
            return false;
        }

        if (!cpu.TryLinearAddress(instruction, FxsaveImage.Size, access, out linear))
        {
            return false;
        }

        if ((linear & 15) != 0)
        {
            cpu.Raise(CpuFault.GeneralProtection());
            return false;
        }

        return true;
    }

    private static ExitReason Save(ExecutionContext cpu, in Instruction instruction, bool wide)
    {
        if (!TryCheck(cpu, instruction, MemoryAccess.Write, out ulong linear))
        {
            return ExitReason.Exception;
        }

        ref CpuState s = ref cpu.State;
        int xmmCount = s.In64BitMode ? XmmFile.Count : 8;
        Span<byte> image = stackalloc byte[FxsaveImage.WrittenSize];
        image.Clear();
        FxsaveImage.Save(s, image, wide, xmmCount);
        bool sse = (s.Cr4 & Cr4Bits.OSFXSR) != 0;
        int length = sse ? 160 + (16 * xmmCount) : 160;
        CpuFault fault;
        bool written = sse
            ? cpu.Memory.TryWrite(linear, image[..length], MemoryAccess.Write, out fault)
            : cpu.Memory.TryWrite(linear, image[..24], MemoryAccess.Write, out fault)
                && cpu.Memory.TryWrite(linear + 32, image[32..160], MemoryAccess.Write, out fault);
        return written ? ExitReason.Continue : cpu.Raise(fault);
    }

    private static ExitReason Restore(ExecutionContext cpu, in Instruction instruction, bool wide)
    {
        if (!TryCheck(cpu, instruction, MemoryAccess.Read, out ulong linear))
        {
            return ExitReason.Exception;
        }

        ref CpuState s = ref cpu.State;
        int xmmCount = s.In64BitMode ? XmmFile.Count : 8;
        Span<byte> image = stackalloc byte[FxsaveImage.WrittenSize];
        if (!cpu.Memory.TryRead(linear, image[..(160 + (16 * xmmCount))], MemoryAccess.Read, out CpuFault fault))
        {
            return cpu.Raise(fault);
        }

        bool sse = (s.Cr4 & Cr4Bits.OSFXSR) != 0;
        if (sse && (FxsaveImage.MxcsrOf(image) & ~VectorAccess.MxcsrMask) != 0)
        {
            return cpu.Raise(CpuFault.GeneralProtection());
        }

        FxsaveImage.Load(ref s, image, wide, xmmCount, sse);
        return ExitReason.Continue;
    }
}
