using System.Buffers.Binary;
using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// The common shape of SSE floating-point instructions: elements of one format computed under the MXCSR
/// environment, flags OR-ed into MXCSR; an unmasked exception raises #XM (or #UD with CR4.OSXMMEXCPT clear)
/// and leaves the destination unchanged.
/// </summary>
public static class SimdFloatHandler
{
    /// <summary>One element: first operand (destination), second operand (source), environment.</summary>
    public delegate ulong ElementOperation(SimdFloatFormat format, ulong a, ulong b, SimdFloatEnvironment env);

    public static ulong Get(ReadOnlySpan<byte> bytes, SimdFloatFormat f, int index) => f.Size == 4
        ? BinaryPrimitives.ReadUInt32LittleEndian(bytes[(4 * index)..])
        : BinaryPrimitives.ReadUInt64LittleEndian(bytes[(8 * index)..]);

    public static void Set(Span<byte> bytes, SimdFloatFormat f, int index, ulong value)
    {
        if (f.Size == 4)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(bytes[(4 * index)..], (uint)value);
        }
        else
        {
            BinaryPrimitives.WriteUInt64LittleEndian(bytes[(8 * index)..], value);
        }
    }

    public static InstructionHandler Elementwise(SimdFloatFormat f, bool scalar, ElementOperation operation) =>
        (ExecutionContext cpu, in Instruction instruction) => Run(cpu, instruction, (d, s, env) =>
        {
            int count = scalar ? 1 : 16 / f.Size;
            Span<byte> original = stackalloc byte[16];
            d.CopyTo(original);
            for (int i = 0; i < count; i++)
            {
                Set(d, f, i, operation(f, Get(original, f, i), Get(s, f, i), env));
            }
        });

    /// <summary>Reads the source (operand 1) and destination register, computes, then commits flags and result.</summary>
    public static ExitReason Run(ExecutionContext cpu, in Instruction instruction, Action<Span<byte>, ReadOnlySpan<byte>, SimdFloatEnvironment> compute)
    {
        if (!VectorAccess.TryCheckAvailable(cpu, instruction, sse: true)
            || !VectorAccess.TryRead(cpu, instruction, 1, out XmmRegister source))
        {
            return ExitReason.Exception;
        }

        Register register = instruction.Op0Register;
        XmmRegister destination = VectorAccess.ReadRegister(cpu, register);
        var env = SimdFloatEnvironment.FromMxcsr(cpu.State.Mxcsr);
        compute(VectorAccess.Bytes(ref destination), VectorAccess.Bytes(ref source), env);
        if (!TryCommitFlags(cpu, env))
        {
            return ExitReason.Exception;
        }

        VectorAccess.WriteRegister(cpu, register, destination);
        VectorAccess.Retire(cpu, instruction);
        return ExitReason.Continue;
    }

    /// <summary>
    /// ORs the raised flags into MXCSR; false (with the fault raised) when one of them is unmasked. An unmasked
    /// pre-computation exception (IE, DE, ZE) stops the instruction before any post-computation flag (OE, UE, PE)
    /// is recorded (SDM vol. 1, 11.5.1).
    /// </summary>
    public static bool TryCommitFlags(ExecutionContext cpu, SimdFloatEnvironment env)
    {
        const uint preComputation = MxcsrBits.Invalid | MxcsrBits.Denormal | MxcsrBits.DivideByZero;
        ref CpuState s = ref cpu.State;
        uint masks = s.Mxcsr >> MxcsrBits.MaskShift;
        uint flags = (env.Flags & preComputation & ~masks) != 0 ? env.Flags & preComputation : env.Flags;
        uint unmasked = flags & ~masks & MxcsrBits.Flags;
        s.Mxcsr |= flags;
        if (unmasked != 0)
        {
            cpu.Raise((s.Cr4 & Cr4Bits.OSXMMEXCPT) != 0 ? ExceptionVector.SimdFloatingPoint : ExceptionVector.InvalidOpcode);
            return false;
        }

        return true;
    }
}
