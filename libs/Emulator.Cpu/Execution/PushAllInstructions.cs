using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// Intel SDM vol. 2 PUSHA/PUSHAD and POPA/POPAD (legacy and compatibility mode only: the decoder
/// rejects them in 64-bit mode). PUSHA pushes the stack pointer's value from before the first push;
/// POPA discards the stored stack pointer. Both are all-or-nothing: a fault part-way leaves the
/// registers and the stack pointer as they were.
/// </summary>
public static class PushAllInstructions
{
    private static readonly GeneralRegister[] Order =
    [
        GeneralRegister.Rax, GeneralRegister.Rcx, GeneralRegister.Rdx, GeneralRegister.Rbx,
        GeneralRegister.Rsp, GeneralRegister.Rbp, GeneralRegister.Rsi, GeneralRegister.Rdi,
    ];

    public static void AddTo(DispatchTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        table.Add(Mnemonic.Pusha, PushAll);
        table.Add(Mnemonic.Pushad, PushAll);
        table.Add(Mnemonic.Popa, PopAll);
        table.Add(Mnemonic.Popad, PopAll);
    }

    private static ExitReason PushAll(ExecutionContext cpu, in Instruction instruction)
    {
        int size = instruction.Mnemonic == Mnemonic.Pushad ? 4 : 2;
        ulong savedRsp = cpu.State.Gpr[(int)GeneralRegister.Rsp];
        foreach (GeneralRegister register in Order)
        {
            ulong value = register == GeneralRegister.Rsp ? savedRsp : cpu.State.Gpr[(int)register];
            if (!cpu.TryPush(value & FlagMath.Mask(size), size))
            {
                cpu.State.Gpr[(int)GeneralRegister.Rsp] = savedRsp;
                return ExitReason.Exception;
            }
        }

        return ExitReason.Continue;
    }

    private static ExitReason PopAll(ExecutionContext cpu, in Instruction instruction)
    {
        int size = instruction.Mnemonic == Mnemonic.Popad ? 4 : 2;
        Span<ulong> values = stackalloc ulong[Order.Length];
        for (int i = 0; i < Order.Length; i++)
        {
            // The last register pushed (EDI) is at the stack pointer.
            if (!cpu.TryPeek(size, out values[Order.Length - 1 - i], (ulong)(i * size)))
            {
                return ExitReason.Exception;
            }
        }

        for (int i = 0; i < Order.Length; i++)
        {
            GeneralRegister register = Order[i];
            if (register == GeneralRegister.Rsp)
            {
                continue;
            }

            ref ulong gpr = ref cpu.State.Gpr[(int)register];
            gpr = size == 4 ? values[i] : (gpr & ~0xFFFFUL) | values[i];
        }

        cpu.SetStackPointer(cpu.StackPointer + (ulong)(Order.Length * size));
        return ExitReason.Continue;
    }
}
