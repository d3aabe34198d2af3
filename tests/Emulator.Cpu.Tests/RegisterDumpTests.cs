namespace Emulator.Cpu.Tests;

/// <summary>
/// QEMU 7.2's <c>info registers</c> text (cpu-dump.c with CPU_DUMP_FPU). The reset dump is QEMU's
/// own output, captured from <c>qemu-system-x86_64 -M pc -cpu qemu64 -accel tcg -S</c> (the system
/// tests also compare with a live QEMU); the other layouts follow QEMU's format strings.
/// </summary>
public sealed class RegisterDumpTests
{
    private const string QemuResetDump = """
        EAX=00000000 EBX=00000000 ECX=00000000 EDX=00060fb1
        ESI=00000000 EDI=00000000 EBP=00000000 ESP=00000000
        EIP=0000fff0 EFL=00000002 [-------] CPL=0 II=0 A20=1 SMM=0 HLT=0
        ES =0000 00000000 0000ffff 00009300
        CS =f000 ffff0000 0000ffff 00009b00
        SS =0000 00000000 0000ffff 00009300
        DS =0000 00000000 0000ffff 00009300
        FS =0000 00000000 0000ffff 00009300
        GS =0000 00000000 0000ffff 00009300
        LDT=0000 00000000 0000ffff 00008200
        TR =0000 00000000 0000ffff 00008b00
        GDT=     00000000 0000ffff
        IDT=     00000000 0000ffff
        CR0=60000010 CR2=00000000 CR3=00000000 CR4=00000000
        DR0=0000000000000000 DR1=0000000000000000 DR2=0000000000000000 DR3=0000000000000000 
        DR6=00000000ffff0ff0 DR7=0000000000000400
        EFER=0000000000000000
        FCW=037f FSW=0000 [ST=0] FTW=00 MXCSR=00001f80
        FPR0=0000000000000000 0000 FPR1=0000000000000000 0000
        FPR2=0000000000000000 0000 FPR3=0000000000000000 0000
        FPR4=0000000000000000 0000 FPR5=0000000000000000 0000
        FPR6=0000000000000000 0000 FPR7=0000000000000000 0000
        XMM00=0000000000000000 0000000000000000 XMM01=0000000000000000 0000000000000000
        XMM02=0000000000000000 0000000000000000 XMM03=0000000000000000 0000000000000000
        XMM04=0000000000000000 0000000000000000 XMM05=0000000000000000 0000000000000000
        XMM06=0000000000000000 0000000000000000 XMM07=0000000000000000 0000000000000000

        """;

    [Fact]
    public void ResetStateDumpsExactlyAsQemuDoes()
    {
        using var vcpu = new Vcpu();
        Assert.Equal(QemuResetDump, RegisterDump.Format(vcpu.State));
    }

    [Fact]
    public void LongModeUsesTheWideLayoutAndDecodesDescriptors()
    {
        CpuState s = LinuxLikeLongModeState();
        Assert.Equal("""
            RAX=0000000000000000 RBX=0000000000000003 RCX=0000000000000001 RDX=0000000000000002
            RSI=0000000000000006 RDI=0000000000000007 RBP=0000000000000005 RSP=ffffffff82003e18
            R8 =0000000000000008 R9 =0000000000000009 R10=000000000000000a R11=000000000000000b
            R12=000000000000000c R13=000000000000000d R14=000000000000000e R15=fedcba9876543210
            RIP=ffffffff81a6f2ae RFL=00000246 [---Z-P-] CPL=0 II=0 A20=1 SMM=0 HLT=1
            ES =0000 0000000000000000 ffffffff 00c00000
            CS =0010 0000000000000000 ffffffff 00a09b00 DPL=0 CS64 [-RA]
            SS =0018 0000000000000000 ffffffff 00c09300 DPL=0 DS   [-WA]
            DS =0000 0000000000000000 ffffffff 00c00000
            FS =0000 00007f0012345678 ffffffff 00c00000
            GS =0000 ffff88807dc00000 ffffffff 00c00000
            LDT=0000 0000000000000000 000fffff 00000000
            TR =0040 fffffe0000003000 00004087 00008b00 DPL=0 TSS64-busy
            GDT=     fffffe0000001000 0000007f
            IDT=     fffffe0000000000 00000fff
            CR0=80050033 CR2=00007f0000001000 CR3=000000000260a000 CR4=000006f0
            DR0=0000000000000000 DR1=0000000000000000 DR2=0000000000000000 DR3=0000000000000000 
            DR6=00000000ffff0ff0 DR7=0000000000000400
            EFER=0000000000000d01
            FCW=037f FSW=3800 [ST=7] FTW=80 MXCSR=00001fa0
            FPR0=0000000000000000 0000 FPR1=0000000000000000 0000
            FPR2=0000000000000000 0000 FPR3=0000000000000000 0000
            FPR4=0000000000000000 0000 FPR5=0000000000000000 0000
            FPR6=0000000000000000 0000 FPR7=8000000000000000 3fff
            XMM00=0000000000000000 0000000000000000 XMM01=0000000000000000 0000000000000000
            XMM02=0000000000000000 0000000000000000 XMM03=0000000000000000 0000000000000000
            XMM04=0000000000000000 0000000000000000 XMM05=0000000000000000 0000000000000000
            XMM06=0000000000000000 0000000000000000 XMM07=0000000000000000 0000000000000000
            XMM08=0000000000000000 0000000000000000 XMM09=0000000000000000 0000000000000000
            XMM10=0000000000000000 0000000000000000 XMM11=0000000000000000 0000000000000000
            XMM12=0000000000000000 0000000000000000 XMM13=0000000000000000 0000000000000000
            XMM14=0000000000000000 0000000000000000 XMM15=1111111122222222 3333333344444444

            """, RegisterDump.Format(s));
    }

    [Fact]
    public void CompatibilityModeKeepsNarrowRegistersButWideTables()
    {
        CpuState s = LinuxLikeLongModeState();
        s.Segment(SegmentRegister.Cs) = new SegmentCache(0x23, 0, 0xFFFFFFFF, 0x00CFFB00);
        s.Segment(SegmentRegister.Ds) = new SegmentCache(0x2B, 0, 0xFFFF, 0x0000F300);
        s.Cpl = 3;
        string dump = RegisterDump.Format(s);
        string[] lines = dump.Split('\n');
        Assert.Equal("EAX=00000000 EBX=00000003 ECX=00000001 EDX=00000002", lines[0]);
        Assert.Equal("EIP=81a6f2ae EFL=00000246 [---Z-P-] CPL=3 II=0 A20=1 SMM=0 HLT=1", lines[2]);
        Assert.Equal("CS =0023 00000000 ffffffff 00cffb00 DPL=3 CS32 [-RA]", lines[4]);

        // A 16-bit data segment still reads "DS  " in IA-32e mode, as in QEMU.
        Assert.Equal("DS =002b 00000000 0000ffff 0000f300 DPL=3 DS   [-WA]", lines[6]);
        Assert.Equal("GS =0000 7dc00000 ffffffff 00c00000", lines[8]);
        Assert.Equal("TR =0040 00003000 00004087 00008b00 DPL=0 TSS64-busy", lines[10]);
        Assert.Equal("GDT=     fffffe0000001000 0000007f", lines[11]);
        Assert.Equal("CR0=80050033 CR2=00007f0000001000 CR3=000000000260a000 CR4=000006f0", lines[13]);
        Assert.Equal("XMM06=0000000000000000 0000000000000000 XMM07=0000000000000000 0000000000000000", lines[^2]);
        Assert.Equal(string.Empty, lines[^1]);
    }

    [Fact]
    public void ProtectedModeDecodesEveryDescriptorKindAndFlag()
    {
        using var vcpu = new Vcpu();
        ref CpuState s = ref vcpu.State;
        s.Cr0 |= Cr0Bits.PE;
        s.Rflags = 0xFFFFFFFF_00000CD7;
        s.Cpl = 3;
        s.InterruptShadow = 1;
        s.Halted = 1;
        s.A20Enabled = 0;
        s.Segment(SegmentRegister.Es) = new SegmentCache(0x08, 0x12345678_9ABCDEF0, 0xFFFFF, 0x00CF9E00);
        s.Segment(SegmentRegister.Cs) = new SegmentCache(0x10, 0, 0xFFFF, 0x00009A00);
        s.Segment(SegmentRegister.Ss) = new SegmentCache(0x18, 0, 0xFFFF, 0x00409700);
        s.Segment(SegmentRegister.Ds) = new SegmentCache(0x20, 0, 0xFFFF, 0x00009100);
        s.Segment(SegmentRegister.Fs) = new SegmentCache(0x28, 0, 0xFFFF, 0x00001300);
        s.Segment(SegmentRegister.Gs) = new SegmentCache(0x30, 0, 0xFFFF, 0x00A09B00);
        s.Ldtr = new SegmentCache(0x38, 0x1000, 0x37, 0x8200 | 0xFF0000FF);
        s.Tr = new SegmentCache(0x40, 0x2000, 0x67, 0x8900);
        string[] lines = RegisterDump.Format(s).Split('\n');
        Assert.Equal("EIP=0000fff0 EFL=00000cd7 [DOSZAPC] CPL=3 II=1 A20=0 SMM=0 HLT=1", lines[2]);
        Assert.Equal("ES =0008 9abcdef0 000fffff 00cf9e00 DPL=0 CS32 [CR-]", lines[3]);
        Assert.Equal("CS =0010 00000000 0000ffff 00009a00 DPL=0 CS16 [-R-]", lines[4]);
        Assert.Equal("SS =0018 00000000 0000ffff 00409700 DPL=0 DS   [EWA]", lines[5]);
        Assert.Equal("DS =0020 00000000 0000ffff 00009100 DPL=0 DS16 [--A]", lines[6]);

        // Not present: no decoding, as QEMU.
        Assert.Equal("FS =0028 00000000 0000ffff 00001300", lines[7]);

        // CS.L outside IA-32e mode: still named CS64, the dump shows the bits as they are.
        Assert.Equal("GS =0030 00000000 0000ffff 00a09b00 DPL=0 CS64 [-RA]", lines[8]);

        // Base bits kept in the flags dword are masked off the printed attributes.
        Assert.Equal("LDT=0038 00001000 00000037 00008200 DPL=0 LDT", lines[9]);
        Assert.Equal("TR =0040 00002000 00000067 00008900 DPL=0 TSS32-avl", lines[10]);
    }

    [Theory]
    [InlineData(0x0, "Reserved", "<hiword>")]
    [InlineData(0x1, "TSS16-avl", "Reserved")]
    [InlineData(0x3, "TSS16-busy", "Reserved")]
    [InlineData(0x4, "CallGate16", "Reserved")]
    [InlineData(0x5, "TaskGate", "Reserved")]
    [InlineData(0x6, "IntGate16", "Reserved")]
    [InlineData(0x7, "TrapGate16", "Reserved")]
    [InlineData(0xB, "TSS32-busy", "TSS64-busy")]
    [InlineData(0xC, "CallGate32", "CallGate64")]
    [InlineData(0xE, "IntGate32", "IntGate64")]
    [InlineData(0xF, "TrapGate32", "TrapGate64")]
    public void SystemTypesAreNamedPerMode(int type, string legacy, string longMode)
    {
        CpuState s = LinuxLikeLongModeState();
        s.Tr.Flags = SegmentFlags.Present | ((uint)type << SegmentFlags.TypeShift);
        Assert.EndsWith(" " + longMode, RegisterDump.Format(s).Split('\n')[12], StringComparison.Ordinal);
        s.Efer = 0;
        Assert.EndsWith(" " + legacy, RegisterDump.Format(s).Split('\n')[10], StringComparison.Ordinal);
    }

    [Fact]
    public void FpuLineCombinesTopIntoFswAndPrintsPhysicalRegistersAndXmmHalves()
    {
        using var vcpu = new Vcpu();
        ref CpuState s = ref vcpu.State;
        s.Fsw = 0xB8FF;
        s.FpuTop = 5;
        s.Ftw = 0xE0;
        s.Fpr[5] = new Float80 { Significand = 0xC90FDAA22168C235, SignExponent = 0x4000 };
        s.Fpr[6] = new Float80 { Significand = 0x8000000000000000, SignExponent = 0xBFFF };
        s.Xmm[1] = new XmmRegister { Low = 0x0706050403020100, High = 0x0F0E0D0C0B0A0908 };
        string[] lines = RegisterDump.Format(s).Split('\n');
        Assert.Equal("FCW=037f FSW=a8ff [ST=5] FTW=e0 MXCSR=00001f80", lines[17]);
        Assert.Equal("FPR4=0000000000000000 0000 FPR5=c90fdaa22168c235 4000", lines[20]);
        Assert.Equal("FPR6=8000000000000000 bfff FPR7=0000000000000000 0000", lines[21]);
        Assert.Equal("XMM00=0000000000000000 0000000000000000 XMM01=0f0e0d0c0b0a0908 0706050403020100", lines[22]);
    }

    private static CpuState LinuxLikeLongModeState()
    {
        using var vcpu = new Vcpu();
        CpuState s = vcpu.State;
        for (int i = 0; i < GprFile.Count; i++)
        {
            s.Gpr[i] = (ulong)i;
        }

        s.Register(GeneralRegister.Rsp) = 0xFFFFFFFF82003E18;
        s.Register(GeneralRegister.R15) = 0xFEDCBA9876543210;
        s.Rip = 0xFFFFFFFF81A6F2AE;
        s.Rflags = 0x246;
        s.Halted = 1;
        s.Cr0 = 0x80050033;
        s.Cr2 = 0x00007F0000001000;
        s.Cr3 = 0x260A000;
        s.Cr4 = 0x6F0;
        s.Efer = EferBits.SCE | EferBits.LME | EferBits.LMA | EferBits.NXE;
        var nullSegment = new SegmentCache(0, 0, 0xFFFFFFFF, 0x00C00000);
        s.Segment(SegmentRegister.Es) = nullSegment;
        s.Segment(SegmentRegister.Cs) = new SegmentCache(0x10, 0, 0xFFFFFFFF, 0x00A09B00);
        s.Segment(SegmentRegister.Ss) = new SegmentCache(0x18, 0, 0xFFFFFFFF, 0x00C09300);
        s.Segment(SegmentRegister.Ds) = nullSegment;
        s.Segment(SegmentRegister.Fs) = nullSegment with { Base = 0x00007F0012345678 };
        s.Segment(SegmentRegister.Gs) = nullSegment with { Base = 0xFFFF88807DC00000 };
        s.Ldtr = new SegmentCache(0, 0, 0xFFFFF, 0);
        s.Tr = new SegmentCache(0x40, 0xFFFFFE0000003000, 0x4087, 0x8B00);
        s.Gdtr = new DescriptorTable { Base = 0xFFFFFE0000001000, Limit = 0x7F };
        s.Idtr = new DescriptorTable { Base = 0xFFFFFE0000000000, Limit = 0xFFF };
        s.Mxcsr = 0x1FA0;
        s.FpuTop = 7;
        s.Ftw = 0x80;
        s.Fpr[7] = new Float80 { Significand = 0x8000000000000000, SignExponent = 0x3FFF };
        s.Xmm[15] = new XmmRegister { Low = 0x3333333344444444, High = 0x1111111122222222 };
        return s;
    }
}
