using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Cpu.Tests.SystemInstructions;

public sealed class CpuidTests
{
    private static readonly CpuidModel Model = new(CpuModel.Qemu64);

    [Fact]
    public void Leaf0IsAuthenticAmdWithMaxBasicLeaf()
    {
        CpuidResult r = Model.Query(0, 0);
        Assert.Equal(0x0Du, r.Eax);
        Assert.Equal("AuthenticAMD", Ascii(r.Ebx, r.Edx, r.Ecx));
    }

    [Fact]
    public void Leaf1HasQemu64SignatureAndExactFeatures()
    {
        CpuidResult r = Model.Query(1, 0);
        Assert.Equal(0x0006_0FB1u, r.Eax);
        Assert.Equal(0x0000_0800u, r.Ebx);

        // FPU DE PSE TSC MSR PAE MCE CX8 APIC SEP MTRR PGE MCA CMOV PAT PSE36 CLFLUSH MMX FXSR SSE SSE2: qemu64's 078BFBFDh.
        Assert.Equal(0x078B_FBFDu, r.Edx);

        // SSE3 SSSE3 CX16 POPCNT hypervisor.
        Assert.Equal(0x8080_2201u, r.Ecx);
    }

    [Fact]
    public void Leaf1EbxCarriesTheApicId()
    {
        Assert.Equal(0x0300_0800u, new CpuidModel(CpuModel.Qemu64, apicId: 3).Query(1, 0).Ebx);
    }

    [Fact]
    public void ExtendedLeavesHaveVendorLongModeAndBrand()
    {
        CpuidResult max = Model.Query(0x8000_0000, 0);
        Assert.Equal(0x8000_0008u, max.Eax);
        Assert.Equal("AuthenticAMD", Ascii(max.Ebx, max.Edx, max.Ecx));

        CpuidResult ext = Model.Query(0x8000_0001, 0);
        Assert.Equal(0x0006_0FB1u, ext.Eax);

        // The AMD aliases of leaf 1 plus SYSCALL (11), NX (20), RDTSCP (27), LM (29).
        Assert.Equal(0x2993_FBFDu, ext.Edx);
        Assert.Equal(1u, ext.Ecx);

        string brand = string.Concat(Enumerable.Range(0, 3).Select(i =>
        {
            CpuidResult b = Model.Query(0x8000_0002 + (uint)i, 0);
            return Ascii(b.Eax, b.Ebx, b.Ecx, b.Edx);
        })).TrimEnd('\0');
        Assert.Equal("QEMU Virtual CPU version 2.5+", brand);
        Assert.Equal(0x3028u, Model.Query(0x8000_0008, 0).Eax);
        Assert.Equal(64u, Model.Query(0x8000_0005, 0).Ecx & 0xFF);
    }

    [Theory]
    [InlineData(0x2u)]
    [InlineData(0x4u)]
    [InlineData(0x7u)]
    [InlineData(0xBu)]
    [InlineData(0xEu)]
    [InlineData(0x4000_0000u)]
    [InlineData(0x8000_0009u)]
    [InlineData(0x8000_001Eu)]
    [InlineData(0xFFFF_FFFFu)]
    public void UnadvertisedLeavesAreZero(uint leaf)
    {
        Assert.Equal(default, Model.Query(leaf, 0));
        Assert.Equal(default, Model.Query(leaf, 1));
    }

    [Fact]
    public void InstructionFillsFourRegistersZeroExtended()
    {
        using var m = new SystemMachine();
        m[GeneralRegister.Rbx] = ulong.MaxValue;
        m.RunToHalt(a =>
        {
            a.mov(rax, 0xFFFF_FFFF_0000_0001UL);
            a.cpuid();
        });
        Assert.Equal(0x0006_0FB1ul, m[GeneralRegister.Rax]);
        Assert.Equal(0x0000_0800ul, m[GeneralRegister.Rbx]);
        Assert.Equal(0x8080_2201ul, m[GeneralRegister.Rcx]);
        Assert.Equal(0x078B_FBFDul, m[GeneralRegister.Rdx]);
    }

    [Fact]
    public void InstructionWorksAtCpl3()
    {
        using var m = new SystemMachine();
        m.State.Cpl = 3;

        // The final HLT faults at CPL 3: CPUID before it must not have.
        Assert.Equal(ExitReason.Exception, m.Run(a =>
        {
            a.xor(eax, eax);
            a.cpuid();
        }));
        Assert.Equal(SystemMachine.CodeBase + 4, m.State.Rip);
        Assert.Equal(0x0Dul, m[GeneralRegister.Rax]);
    }

    private static string Ascii(params uint[] words) =>
        string.Concat(words.Select(w => string.Concat(BitConverter.GetBytes(w).Select(b => (char)b))));
}
