using System.Text;
using Emulator.Cpu;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Platform.Tests.PcMachine;

/// <summary>The pc platform's COM1, ACPI PM, reset paths, fw_cfg, PCI host and tables, as the guest or the machine sees them.</summary>
public sealed class PcPlatformDeviceTests
{
    [Fact]
    public void UartTransmitsToTheSinkAndDeliversOfferedBytesAfterAnRxInterrupt()
    {
        bool offered = false;
        using var machine = new PcGuestMachine((m, _) =>
        {
            if (!offered && m.Com1Output.Count == 2)
            {
                offered = true;
                Assert.Equal(3, (m.Platform.Com1 ?? throw new InvalidOperationException("no COM1")).Offer("abc"u8));
            }
        });
        machine.Load(
            a =>
            {
                a.InitPic(0xEF, 0xFF);
                a.Out(Uart16550.Com1, (byte)'h');
                a.Out(Uart16550.Com1, (byte)'i');
                a.Out(Uart16550.Com1 + 1, 0x01); // IER: received data available
                a.Out(Uart16550.Com1 + 4, 0x08); // MCR: OUT2 gates the IRQ on a PC
                a.WaitTicksThenExit(3, 1);
            },
            (0x24, a =>
            {
                var more = a.CreateLabel();
                var done = a.CreateLabel();
                a.push(eax);
                a.push(ebx);
                a.push(edx);
                a.Label(ref more);
                a.mov(dx, (ushort)(Uart16550.Com1 + 5));
                a.@in(al, dx);
                a.test(al, 1);
                a.jz(done);
                a.mov(dx, Uart16550.Com1);
                a.@in(al, dx);
                a.mov(ebx, __dword_ptr[PcGuestMachine.Counter]);
                a.mov(__byte_ptr[ebx + (int)PcGuestMachine.Buffer], al);
                a.inc(__dword_ptr[PcGuestMachine.Counter]);
                a.jmp(more);
                a.Label(ref done);
                a.mov(al, 0x20);
                a.@out(0x20, al);
                a.pop(edx);
                a.pop(ebx);
                a.pop(eax);
                a.iretd();
            }));

        PcStopReason stop = machine.Loop.Run(maxSteps: 10_000);

        Assert.Equal(PcStopReason.DebugExit, stop);
        Assert.Equal("hi", Encoding.ASCII.GetString([.. machine.Com1Output]));
        Assert.Equal(3u, machine.Read32(PcGuestMachine.Counter));
        Assert.Equal(Encoding.ASCII.GetBytes("abc"), BitConverter.GetBytes(machine.Read32(PcGuestMachine.Buffer))[..3]);
    }

    [Fact]
    public void SleepTypeFiveInPm1aControlPowersOff()
    {
        using var machine = new PcGuestMachine();
        machine.Load(a =>
        {
            a.mov(dx, (ushort)(AcpiPmDevice.DefaultBase + AcpiPmDevice.ControlOffset));
            a.mov(ax, (ushort)((AcpiPmDevice.S5SleepType << 10) | AcpiPmDevice.SleepEnable));
            a.@out(dx, ax);
            a.hlt();
        });

        Assert.Equal(PcStopReason.PowerOff, machine.Loop.Run(maxSteps: 100));
        Assert.Equal(1, machine.PowerOffs);
        Assert.Equal(0, machine.Resets);
    }

    [Theory]
    [InlineData(0xCF9, 0x06)] // PCI reset control: hard reset
    [InlineData(0x64, 0xFE)] // i8042: pulse the reset line
    [InlineData(0x92, 0x01)] // port A: fast reset
    public void ResetRegistersAskTheMachineForASystemReset(ushort port, byte value)
    {
        using var machine = new PcGuestMachine();
        machine.Load(a =>
        {
            a.Out(port, value);
            a.hlt();
        });

        Assert.Equal(PcStopReason.Reset, machine.Loop.Run(maxSteps: 100));
        Assert.Equal(1, machine.Resets);

        machine.Platform.Reset();
        Assert.Equal(PcStopReason.None, machine.Platform.StopRequest);
    }

    [Fact]
    public void TripleFaultEndsTheLoop()
    {
        using var machine = new PcGuestMachine();
        machine.Load(a => a.ud2());
        machine.Vcpu.State.Idtr = new DescriptorTable { Base = 0, Limit = 0 };

        Assert.Equal(PcStopReason.TripleFault, machine.Loop.Run(maxSteps: 100));
        Assert.Equal(PcStopReason.TripleFault, machine.Platform.StopRequest);
    }

    [Fact]
    public void FwCfgSignatureAndHostBridgeIdAreVisibleOnThePortBus()
    {
        using var machine = new PcGuestMachine();
        IoPortBus ports = machine.Platform.Ports;

        ports.Write(FwCfgDevice.Port, 2, 0); // FW_CFG_SIGNATURE
        byte[] signature = [.. Enumerable.Range(0, 4).Select(_ => (byte)ports.Read(FwCfgDevice.Port + 1, 1))];
        Assert.Equal("QEMU", Encoding.ASCII.GetString(signature));

        ports.Write(PciHost.AddressPortNumber, 4, 0x8000_0000); // bus 0, device 0, function 0, register 0
        Assert.Equal(0x1237_8086u, ports.Read(PciHost.DataPortNumber, 4));
        Assert.Null(machine.Platform.PciInterrupt(PciHost.HostBridgeSlot, 0));
        machine.Platform.AssignPciResources();
    }

    [Fact]
    public void FirmwareTablesAreInRamAndTheHpetIdMatches()
    {
        using var machine = new PcGuestMachine();
        PcPlatform platform = machine.Platform;
        byte[] rsdp = new byte[8];
        machine.Memory.Read(platform.FirmwareTables.RsdpAddress, rsdp);
        Assert.Equal("RSD PTR ", Encoding.ASCII.GetString(rsdp));

        Span<byte> capabilities = stackalloc byte[4];
        platform.Mmio.TryRead(Platform.Hpet.DefaultBase, capabilities);
        Assert.Equal(platform.FirmwareConfig.HpetEventTimerBlockId, BitConverter.ToUInt32(capabilities));
    }

    [Fact]
    public void CmosReportsTheRamLayout()
    {
        using var machine = new PcGuestMachine();

        // Extended memory above 1 MiB in KiB (CMOS 17h/18h, as SeaBIOS reads it).
        uint extendedKiB = (uint)(machine.Platform.Rtc.GetCmos(0x17) | (machine.Platform.Rtc.GetCmos(0x18) << 8));
        Assert.Equal((uint)((PcGuestMachine.RamSize - 0x10_0000) / 1024), extendedKiB);
    }
}
