using Iced.Intel;

namespace Emulator.Cpu;

/// <summary>
/// The 11-bit x87 last-instruction opcode (FOP, SDM vol. 1, 8.1.9): the low three bits of the D8-DF byte
/// and the whole second byte. The decoder keeps no raw bytes, so the mod/rm byte of a memory form is
/// rebuilt from the decoded operand, which determines it for every canonical encoding. The one ambiguity is a
/// redundant SIB byte ("no index" with a base that needs none): FOP then shows the base in rm instead of 100.
/// </summary>
public static class X87Opcode
{
    public static ushort Of(in Instruction i)
    {
        OpCodeInfo info = i.Code.ToOpCode();
        uint opcode = info.OpCode;
        if (info.OpCodeLength == 2)
        {
            // Forms like D9 C8+i (FXCH) and D9 FE (FSIN): the second byte is fixed, plus the register number.
            return (ushort)((((opcode >> 8) & 7) << 8) | ((opcode & 0xFF) + (uint)RegisterOperand(i)));
        }

        int group = Math.Max(info.GroupIndex, 0);
        bool memory = i.Op0Kind == OpKind.Memory || (i.OpCount > 1 && i.Op1Kind == OpKind.Memory);
        int modrm = memory
            ? MemoryModRm(i) | (group << 3)
            : 0xC0 | (group << 3) | (info.RmGroupIndex >= 0 ? info.RmGroupIndex : RegisterOperand(i));
        return (ushort)(((opcode & 7) << 8) | (uint)modrm);
    }

    /// <summary>mod and rm of a memory operand (SDM vol. 2, tables 2-1 to 2-3).</summary>
    private static int MemoryModRm(in Instruction i)
    {
        Register baseRegister = i.MemoryBase;
        Register index = i.MemoryIndex;
        int displacement = i.MemoryDisplSize;
        if (baseRegister.IsGPR16() || index.IsGPR16() || (baseRegister == Register.None && index == Register.None && displacement == 2))
        {
            return Modrm16(baseRegister, index, displacement);
        }

        if (baseRegister is Register.RIP or Register.EIP)
        {
            return 0b00_000_101;
        }

        int mod = baseRegister == Register.None ? 0 : displacement switch
        {
            0 => 0,
            1 => 1,
            _ => 2,
        };
        bool sib = index != Register.None || baseRegister == Register.None && i.CodeSize == CodeSize.Code64
            || (baseRegister != Register.None && (baseRegister.GetNumber() & 7) == 4);
        if (baseRegister == Register.None && !sib)
        {
            // [disp32] outside 64-bit mode.
            return 0b00_000_101;
        }

        return (mod << 6) | (sib ? 4 : baseRegister.GetNumber() & 7);
    }

    private static int Modrm16(Register baseRegister, Register index, int displacement)
    {
        int rm = (baseRegister, index) switch
        {
            (Register.BX, Register.SI) => 0,
            (Register.BX, Register.DI) => 1,
            (Register.BP, Register.SI) => 2,
            (Register.BP, Register.DI) => 3,
            (Register.SI, Register.None) or (Register.None, Register.SI) => 4,
            (Register.DI, Register.None) or (Register.None, Register.DI) => 5,
            (Register.BP, Register.None) => 6,
            (Register.BX, Register.None) => 7,
            _ => -1,
        };
        if (rm < 0)
        {
            // [disp16].
            return 0b00_000_110;
        }

        int mod = displacement switch
        {
            0 => 0,
            1 => 1,
            _ => 2,
        };
        return (mod << 6) | rm;
    }

    /// <summary>The ST(i) operand that is not ST(0) (0 when there is none).</summary>
    private static int RegisterOperand(in Instruction i)
    {
        for (int op = 0; op < i.OpCount; op++)
        {
            if (i.GetOpKind(op) == OpKind.Register && i.GetOpRegister(op) is >= Register.ST0 and <= Register.ST7 and var r && r != Register.ST0)
            {
                return r - Register.ST0;
            }
        }

        return 0;
    }
}
