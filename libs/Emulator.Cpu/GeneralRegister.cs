namespace Emulator.Cpu;

/// <summary>The general-purpose registers in their instruction-encoding order (ModRM reg/rm, REX.B/R/X extend to 8-15).</summary>
public enum GeneralRegister
{
    Rax = 0,
    Rcx = 1,
    Rdx = 2,
    Rbx = 3,
    Rsp = 4,
    Rbp = 5,
    Rsi = 6,
    Rdi = 7,
    R8 = 8,
    R9 = 9,
    R10 = 10,
    R11 = 11,
    R12 = 12,
    R13 = 13,
    R14 = 14,
    R15 = 15,
}
