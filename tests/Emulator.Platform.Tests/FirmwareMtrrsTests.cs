using Emulator.Cpu;

namespace Emulator.Platform.Tests;

/// <summary>The MTRRs a <c>-kernel</c> boot starts with: what SeaBIOS leaves under QEMU (its /proc/mtrr for 512 MiB: "reg00: base=0x080000000 ( 2048MB), size= 2048MB: uncachable").</summary>
public sealed class FirmwareMtrrsTests
{
    [Fact]
    public void FiveHundredTwelveMiBMatchesQemusBoot()
    {
        var state = new CpuState();
        FirmwareMtrrs.Apply(ref state, 512UL << 20);
        Assert.Equal(0xC06UL, state.MtrrDefType);
        Assert.Equal(0x0606_0606_0606_0606UL, state.MtrrFixed[0]);
        Assert.Equal(0x0606_0606_0606_0606UL, state.MtrrFixed[1]);
        Assert.Equal(0UL, state.MtrrFixed[2]);
        for (int i = 3; i < MtrrFixedFile.Count; i++)
        {
            Assert.Equal(0x0505_0505_0505_0505UL, state.MtrrFixed[i]);
        }

        Assert.Equal(0x8000_0000UL, state.MtrrVariable[0].Base);
        Assert.Equal(0xFF_8000_0800UL, state.MtrrVariable[0].Mask);
        for (int i = 1; i < MtrrVariableFile.Count; i++)
        {
            Assert.Equal(0UL, state.MtrrVariable[i].Base | state.MtrrVariable[i].Mask);
        }
    }

    [Theory]
    [InlineData(1UL << 20, 0x8000_0000UL)]
    [InlineData(0x8000_0000UL, 0x8000_0000UL)]
    [InlineData(0x8000_1000UL, 0xC000_0000UL)]
    [InlineData(RamLayout.LowMemoryLimit, 0xE000_0000UL)]
    public void PciHoleStartsAtTheFirstWindowAboveRam(ulong ram, ulong start) =>
        Assert.Equal(start, FirmwareMtrrs.PciHoleStart(ram));

    [Fact]
    public void EveryValueIsOneWrmsrWouldAccept()
    {
        using var vcpu = new Vcpu();
        var system = new SystemServices(new CpuidModel(CpuModel.Qemu64));
        var programmed = new CpuState();
        FirmwareMtrrs.Apply(ref programmed, 3UL << 30);
        Assert.True(ModelSpecificRegisters.TryWrite(ref vcpu.State, system, MsrIndex.MtrrDefType, programmed.MtrrDefType));
        Assert.True(ModelSpecificRegisters.TryWrite(ref vcpu.State, system, MsrIndex.MtrrPhysBase0, programmed.MtrrVariable[0].Base));
        Assert.True(ModelSpecificRegisters.TryWrite(ref vcpu.State, system, MsrIndex.MtrrPhysBase0 + 1, programmed.MtrrVariable[0].Mask));
        Assert.True(ModelSpecificRegisters.TryWrite(ref vcpu.State, system, MsrIndex.MtrrFix4KC0000, programmed.MtrrFixed[3]));
    }
}
