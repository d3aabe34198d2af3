using Emulator.Cpu;
using Emulator.Platform.Tests.Apic;

namespace Emulator.Platform.Tests.PcMachine;

/// <summary>AMD's SYSCFG, which Linux's MTRR set-up reads with a plain RDMSR on family 0Fh.</summary>
public sealed class SystemConfigurationMsrTests
{
    [Fact]
    public void ReadsZeroAndHoldsTheMtrrBits()
    {
        (SystemServices system, CpuState state) = Create();
        Assert.True(ModelSpecificRegisters.TryRead(ref state, system, PcModelSpecificRegisters.SystemConfiguration, out ulong value));
        Assert.Equal(0UL, value);
        Assert.True(ModelSpecificRegisters.TryWrite(ref state, system, PcModelSpecificRegisters.SystemConfiguration, 1UL << 19));
        Assert.True(ModelSpecificRegisters.TryRead(ref state, system, PcModelSpecificRegisters.SystemConfiguration, out value));
        Assert.Equal(1UL << 19, value);
    }

    [Theory]
    [InlineData(1UL << 17)]
    [InlineData(1UL << 23)]
    [InlineData(1UL << 63)]
    public void OtherBitsAreGeneralProtection(ulong bit)
    {
        (SystemServices system, CpuState state) = Create();
        Assert.False(ModelSpecificRegisters.TryWrite(ref state, system, PcModelSpecificRegisters.SystemConfiguration, bit));
    }

    private static (SystemServices System, CpuState State) Create()
    {
        var h = new ApicHarness();
        return (new SystemServices(new CpuidModel(CpuModel.Qemu64), h.Tsc) { MsrExtension = new PcModelSpecificRegisters(h.Apic) }, new CpuState());
    }
}
