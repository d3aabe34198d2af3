namespace Emulator.Cpu.Tests;

public sealed class VcpuTests
{
    [Fact]
    public void StateIsOneInPlaceStructNotACopy()
    {
        using var vcpu = new Vcpu();
        vcpu.State.Rip = 0x7C00;
        ref CpuState state = ref vcpu.State;
        state.Register(GeneralRegister.Rax) = 5;
        Assert.Equal(0x7C00UL, vcpu.State.Rip);
        Assert.Equal(5UL, vcpu.State.Gpr[0]);
    }

    [Fact]
    public void DisposedVcpuRefusesAccessAndDisposesTwiceQuietly()
    {
        var vcpu = new Vcpu();
        vcpu.Dispose();
        vcpu.Dispose();
        Assert.Throws<ObjectDisposedException>(() => vcpu.State.Rip);
        Assert.Throws<ObjectDisposedException>(() => vcpu.StateAddress);
        Assert.Throws<ObjectDisposedException>(vcpu.Reset);
    }

    [Fact]
    public void TakesItsModelAndIndex()
    {
        var model = new CpuModel(6, 0x3A, 9);
        using var vcpu = new Vcpu(index: 2, model);
        Assert.Equal(2, vcpu.Index);
        Assert.Same(model, vcpu.Model);
        Assert.Equal(0x000306A9UL, vcpu.State.Register(GeneralRegister.Rdx));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Vcpu(-1));
    }
}
