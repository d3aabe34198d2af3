namespace Emulator.Cpu;

/// <summary>RFLAGS bits (Intel SDM vol. 1, 3.4.3 "EFLAGS Register").</summary>
public static class RflagsBits
{
    public const ulong CF = 1UL << 0;

    /// <summary>Bit 1 always reads as 1.</summary>
    public const ulong Fixed1 = 1UL << 1;

    public const ulong PF = 1UL << 2;
    public const ulong AF = 1UL << 4;
    public const ulong ZF = 1UL << 6;
    public const ulong SF = 1UL << 7;
    public const ulong TF = 1UL << 8;
    public const ulong IF = 1UL << 9;
    public const ulong DF = 1UL << 10;
    public const ulong OF = 1UL << 11;
    public const ulong NT = 1UL << 14;
    public const ulong RF = 1UL << 16;
    public const ulong VM = 1UL << 17;
    public const ulong AC = 1UL << 18;
    public const ulong ID = 1UL << 21;
}
