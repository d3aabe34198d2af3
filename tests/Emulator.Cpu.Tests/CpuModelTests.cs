namespace Emulator.Cpu.Tests;

public sealed class CpuModelTests
{
    [Fact]
    public void Qemu64IsFamily15Model107Stepping1()
    {
        Assert.Equal((15, 107, 1), (CpuModel.Qemu64.Family, CpuModel.Qemu64.Model, CpuModel.Qemu64.Stepping));
        Assert.Equal(0x00060FB1u, CpuModel.Qemu64.Signature);
    }

    [Theory]
    [InlineData(6, 0x3A, 9, 0x000306A9u)]
    [InlineData(0x17, 0x31, 0, 0x00830F10u)]
    [InlineData(0x19, 0x01, 1, 0x00A00F11u)]
    [InlineData(15, 0, 0, 0x00000F00u)]
    [InlineData(0x10E, 0xFF, 0xF, 0x0FFF0FFFu)]
    public void SignatureSplitsFamilyAndModelIntoTheirExtendedFields(int family, int model, int stepping, uint expected)
    {
        Assert.Equal(expected, new CpuModel(family, model, stepping).Signature);
    }

    [Theory]
    [InlineData(-1, 0, 0)]
    [InlineData(0x10F, 0, 0)]
    [InlineData(6, 256, 0)]
    [InlineData(6, -1, 0)]
    [InlineData(6, 0, 16)]
    [InlineData(6, 0, -1)]
    public void FieldsThatDoNotFitCpuidAreRefused(int family, int model, int stepping)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CpuModel(family, model, stepping));
    }
}
