namespace Emulator.Cpu;

/// <summary>The MSR numbers the model implements (Intel SDM vol. 4; AMD APM vol. 2, appendix A).</summary>
public static class MsrIndex
{
    public const uint Tsc = 0x10;
    public const uint ApicBase = 0x1B;
    public const uint MtrrCap = 0xFE;
    public const uint SysenterCs = 0x174;
    public const uint SysenterEsp = 0x175;
    public const uint SysenterEip = 0x176;
    public const uint McgCap = 0x179;
    public const uint McgStatus = 0x17A;
    public const uint McgCtl = 0x17B;
    public const uint MiscEnable = 0x1A0;
    public const uint TscDeadline = 0x6E0;
    public const uint MtrrPhysBase0 = 0x200;
    public const uint MtrrPhysMaskLast = 0x20F;
    public const uint MtrrFix64K00000 = 0x250;
    public const uint MtrrFix16K80000 = 0x258;
    public const uint MtrrFix16KA0000 = 0x259;
    public const uint MtrrFix4KC0000 = 0x268;
    public const uint MtrrFix4KF8000 = 0x26F;
    public const uint Pat = 0x277;
    public const uint MtrrDefType = 0x2FF;

    /// <summary>IA32_MC0_CTL: bank i's CTL, STATUS, ADDR, MISC are at 400h + 4i + 0..3.</summary>
    public const uint Mc0Ctl = 0x400;
    public const uint Efer = 0xC000_0080;
    public const uint Star = 0xC000_0081;
    public const uint Lstar = 0xC000_0082;
    public const uint Cstar = 0xC000_0083;
    public const uint Sfmask = 0xC000_0084;
    public const uint FsBase = 0xC000_0100;
    public const uint GsBase = 0xC000_0101;
    public const uint KernelGsBase = 0xC000_0102;
    public const uint TscAux = 0xC000_0103;
}
