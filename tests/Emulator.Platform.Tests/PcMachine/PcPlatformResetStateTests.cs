using Emulator.Cpu;
using Emulator.Memory;

namespace Emulator.Platform.Tests.PcMachine;

/// <summary>What a system reset keeps and what it puts back, as QEMU's qemu_devices_reset does.</summary>
public sealed class PcPlatformResetStateTests : IDisposable
{
    private readonly GuestMemory _memory = GuestMemory.Create((0, PcGuestMachine.RamSize));

    [Fact]
    public void CmosRamSurvivesAndOnlyTheResetBitsChange()
    {
        PcPlatform platform = CreatePlatform();
        WriteCmos(platform, 0x40, 0x5A);
        WriteCmos(platform, 0x7F, 0xC3);
        WriteCmos(platform, 0x0F, 0x05); // shutdown status: cleared by a reset
        WriteCmos(platform, 0x0A, 0x2C); // rate 12: kept
        WriteCmos(platform, 0x0B, 0x02 | 0x40 | 0x20 | 0x10 | 0x08); // 24h, PIE, AIE, UIE, SQWE

        platform.Reset();

        Assert.Equal(0x5A, ReadCmos(platform, 0x40));
        Assert.Equal(0xC3, ReadCmos(platform, 0x7F));
        Assert.Equal(0x00, ReadCmos(platform, 0x0F));
        Assert.Equal(0x2C, ReadCmos(platform, 0x0A) & 0x7F);
        Assert.Equal(0x02 | 0x10, ReadCmos(platform, 0x0B));
        Assert.Equal(0x00, ReadCmos(platform, 0x0C));
        Assert.NotEqual(0, ReadCmos(platform, 0x30) | ReadCmos(platform, 0x31));
    }

    [Fact]
    public void ResumeFromSuspendShutdownStatusIsKept()
    {
        PcPlatform platform = CreatePlatform();
        WriteCmos(platform, 0x0F, 0xFE);
        platform.Reset();
        Assert.Equal(0xFE, ReadCmos(platform, 0x0F));
    }

    [Fact]
    public void TheDateTheGuestSetRunsOnAcrossTheReset()
    {
        PcPlatform platform = CreatePlatform();
        WriteCmos(platform, 0x0B, 0x02 | 0x80); // SET: stop updates
        WriteCmos(platform, 0x09, 0x99); // year 99
        WriteCmos(platform, 0x32, 0x19); // century 19
        WriteCmos(platform, 0x0B, 0x02);

        platform.Reset();

        Assert.Equal(1999, platform.Rtc.Now.Year);
        Assert.Equal(0x99, ReadCmos(platform, 0x09));
    }

    [Fact]
    public void UartsGoBackToTheirResetValuesAndLowerTheirIrq()
    {
        PcPlatform platform = CreatePlatform();
        foreach (ushort com in (ushort[])[Uart16550.Com1, Uart16550.Com2])
        {
            platform.Ports.Write((ushort)(com + 3), 1, 0x80); // DLAB
            platform.Ports.Write(com, 1, 0x01);
            platform.Ports.Write((ushort)(com + 1), 1, 0x00);
            platform.Ports.Write((ushort)(com + 3), 1, 0x1B);
            platform.Ports.Write((ushort)(com + 1), 1, 0x0F);
            platform.Ports.Write((ushort)(com + 4), 1, 0x0B);
            platform.Ports.Write((ushort)(com + 7), 1, 0x55);
        }

        Assert.Equal((ushort?)1, platform.Com1?.Divisor);
        Assert.True(platform.IoApic.Pins[Uart16550.Com1Irq].Level); // THRE pending with OUT2: IRQ 4 up

        platform.Reset();

        foreach (ushort com in (ushort[])[Uart16550.Com1, Uart16550.Com2])
        {
            Assert.Equal(0x00u, platform.Ports.Read((ushort)(com + 1), 1)); // IER
            Assert.Equal(0x01u, platform.Ports.Read((ushort)(com + 2), 1)); // IIR: none pending, FIFOs off
            Assert.Equal(0x00u, platform.Ports.Read((ushort)(com + 3), 1)); // LCR
            Assert.Equal(0x08u, platform.Ports.Read((ushort)(com + 4), 1)); // MCR: OUT2
            Assert.Equal(0x00u, platform.Ports.Read((ushort)(com + 7), 1)); // SCR
        }

        Assert.Equal((ushort?)12, platform.Com1?.Divisor);
        Assert.Equal((ushort?)12, platform.Com2?.Divisor);
        Assert.False(platform.IoApic.Pins[Uart16550.Com1Irq].Level);
        Assert.False(platform.IoApic.Pins[Uart16550.Com2Irq].Level);
    }

    [Fact]
    public void MachineCheckStatusClearsAndTheBanksStay()
    {
        PcPlatform platform = CreatePlatform();
        using var vcpu = new Vcpu();
        SystemServices services = platform.CreateSystemServices(vcpu);
        Assert.Same(platform.MachineCheck, services.MachineCheck);
        Assert.True(ModelSpecificRegisters.TryWrite(ref vcpu.State, services, MsrIndex.McgStatus, 4));
        Assert.True(ModelSpecificRegisters.TryWrite(ref vcpu.State, services, MsrIndex.Mc0Ctl + 2, 0xABC));

        platform.Reset();

        Assert.True(ModelSpecificRegisters.TryRead(ref vcpu.State, services, MsrIndex.McgStatus, out ulong status));
        Assert.Equal(0UL, status);
        Assert.True(ModelSpecificRegisters.TryRead(ref vcpu.State, services, MsrIndex.Mc0Ctl + 2, out ulong address));
        Assert.Equal(0xABCUL, address);
    }

    public void Dispose() => _memory.Dispose();

    private static void WriteCmos(PcPlatform platform, byte index, byte value)
    {
        platform.Ports.Write(0x70, 1, index);
        platform.Ports.Write(0x71, 1, value);
    }

    private static int ReadCmos(PcPlatform platform, byte index)
    {
        platform.Ports.Write(0x70, 1, index);
        return (int)platform.Ports.Read(0x71, 1);
    }

    private PcPlatform CreatePlatform() =>
        new(new PcPlatformOptions { Memory = _memory, Layout = new RamLayout(PcGuestMachine.RamSize), HostNanoseconds = () => 1_000 });
}
