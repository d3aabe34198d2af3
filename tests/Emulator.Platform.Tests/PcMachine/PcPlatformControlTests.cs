using Emulator.Memory;

namespace Emulator.Platform.Tests.PcMachine;

/// <summary>The pc platform's cross-thread hand-over, pause and reset, without a guest.</summary>
public sealed class PcPlatformControlTests
{
    [Fact]
    public void SignalBeforeWaitIsKept()
    {
        var wakeup = new VcpuWakeup();
        Assert.False(wakeup.Wait(TimeSpan.Zero));
        wakeup.Signal();
        Assert.True(wakeup.Wait(TimeSpan.FromSeconds(30)));
        Assert.False(wakeup.Wait(TimeSpan.Zero));
    }

    [Fact]
    public async Task PostFromAnotherThreadWakesTheParkedThreadAndRunsOnTheNextRound()
    {
        using GuestMemory memory = GuestMemory.Create((0, 0x10_0000));
        var platform = new PcPlatform(new PcPlatformOptions { Memory = memory, Layout = new RamLayout(0x10_0000) });
        int ran = 0;

        Task post = Task.Run(() => platform.Post(() => ran++));
        Assert.True(platform.Wakeup.Wait(TimeSpan.FromSeconds(30)));
        await post;

        Assert.Equal(0, ran);
        Assert.True(platform.RunTimers());
        Assert.Equal(1, ran);
        Assert.False(platform.RunTimers());
    }

    [Fact]
    public void PauseFreezesGuestTime()
    {
        long host = 1_000;
        using GuestMemory memory = GuestMemory.Create((0, 0x10_0000));
        var platform = new PcPlatform(new PcPlatformOptions { Memory = memory, Layout = new RamLayout(0x10_0000), HostNanoseconds = () => host });

        host += 500;
        platform.Pause();
        long frozen = platform.Clock.Now;
        host += 10_000;
        Assert.Equal(frozen, platform.Clock.Now);
        platform.Resume();
        host += 100;
        Assert.Equal(frozen + 100, platform.Clock.Now);
    }

    [Fact]
    public void ResetDisarmsTheLocalApicTimerAndRewritesTheTables()
    {
        using GuestMemory memory = GuestMemory.Create((0, 0x10_0000));
        var platform = new PcPlatform(new PcPlatformOptions { Memory = memory, Layout = new RamLayout(0x10_0000) });
        platform.Mmio.TryWrite(0xFEE0_00F0, BitConverter.GetBytes(0x1FFu));
        platform.Mmio.TryWrite(0xFEE0_0320, BitConverter.GetBytes(0x2_0040u));
        platform.Mmio.TryWrite(0xFEE0_0380, BitConverter.GetBytes(1_000_000u));
        Assert.NotNull(platform.NextDeadline);
        memory.Write(platform.FirmwareTables.BaseAddress, new byte[16]);

        platform.Reset();

        Assert.Null(platform.NextDeadline);
        byte[] rsdp = new byte[8];
        memory.Read(platform.FirmwareTables.RsdpAddress, rsdp);
        Assert.Equal("RSD PTR "u8.ToArray(), rsdp);
    }

    [Fact]
    public void OnlyOneVcpuIsSupported()
    {
        using GuestMemory memory = GuestMemory.Create((0, 0x10_0000));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PcPlatform(new PcPlatformOptions { Memory = memory, Layout = new RamLayout(0x10_0000), CpuCount = 2 }));
    }

    [Fact]
    public void HpetLegacyReplacementCutsThePitOffIrq0AndGivesItBack()
    {
        long host = 1_000;
        using GuestMemory memory = GuestMemory.Create((0, 0x10_0000));
        var platform = new PcPlatform(new PcPlatformOptions { Memory = memory, Layout = new RamLayout(0x10_0000), HostNanoseconds = () => host });
        platform.Mmio.TryWrite(Platform.Hpet.DefaultBase + 0x10, BitConverter.GetBytes(2UL)); // legacy replacement, counter off
        platform.Ports.Write(0x43, 1, 0x34);
        platform.Ports.Write(0x40, 1, 1193 & 0xFF);
        platform.Ports.Write(0x40, 1, 1193 >> 8);

        host += 5_000_000;
        platform.RunTimers();
        Assert.Equal(0, platform.Pic.Master.Irr & 1);

        platform.Mmio.TryWrite(Platform.Hpet.DefaultBase + 0x10, BitConverter.GetBytes(0UL));
        host += 5_000_000;
        platform.RunTimers();
        Assert.Equal(1, platform.Pic.Master.Irr & 1);
    }

    [Fact]
    public void RealClockLoopParksBetweenPitTicksAndFinishes()
    {
        using GuestMemory memory = GuestMemory.Create((0, PcGuestMachine.RamSize));
        var debugcon = new MemoryStream();
        var platform = new PcPlatform(new PcPlatformOptions { Memory = memory, Layout = new RamLayout(PcGuestMachine.RamSize), DebugConsole = debugcon, IsaDebugExit = true });
        using var vcpu = new Cpu.Vcpu();
        var interpreter = new Cpu.Interpreter(vcpu, new Cpu.PagedMemory(memory, vcpu, mmio: platform.Mmio), platform.CreateSystemServices(vcpu));
        platform.ConfigureVcpu(interpreter);
        var loop = new PcVcpuLoop(platform, interpreter);
        PcGuestMachine.Prepare(memory, vcpu);
        PcGuestMachine.Assemble(
            memory,
            a =>
            {
                a.InitPic(0xFE, 0xFF);
                a.StartPit();
                a.WaitTicksThenExit(5, 0);
            },
            (0x20, a =>
            {
                a.inc(Iced.Intel.AssemblerRegisters.__dword_ptr[PcGuestMachine.Counter]);
                a.Out(0x20, 0x20);
                a.iretd();
            }));

        // Bounded: at most one wait per PIT period (about 1 ms) per step.
        Assert.Equal(PcStopReason.DebugExit, loop.Run(maxSteps: 100_000));
        Assert.Equal([(byte)5], debugcon.ToArray());
        Assert.True(loop.IdleWaits >= 5, $"{loop.IdleWaits} waits");
    }

    [Fact]
    public void ResetRebuildsTheIsaDevicesAndSilencesTheOldOnes()
    {
        long host = 1_000;
        using GuestMemory memory = GuestMemory.Create((0, PcGuestMachine.RamSize));
        var platform = new PcPlatform(new PcPlatformOptions { Memory = memory, Layout = new RamLayout(PcGuestMachine.RamSize), HostNanoseconds = () => host });
        platform.Ports.Write(0x21, 1, 0xAB); // PIC IMR
        platform.Ports.Write(0x43, 1, 0x34); // PIT channel 0 running
        platform.Ports.Write(0x40, 1, 0x00);
        platform.Ports.Write(0x40, 1, 0x10);
        DualPic oldPic = platform.Pic;
        Assert.NotNull(platform.NextDeadline);

        platform.Reset();

        Assert.NotSame(oldPic, platform.Pic);
        Assert.Equal(0u, platform.Ports.Read(0x21, 1));
        Assert.Null(platform.NextDeadline);
        host += 10_000_000;
        Assert.False(platform.RunTimers());
        Assert.Equal(0, platform.Pic.Master.Irr);
        Assert.Equal((byte)0xAB, oldPic.Master.Imr);

        // CMOS still reports RAM; the new PIT and PIC work through the same ports.
        Assert.NotEqual(0, platform.Rtc.GetCmos(0x30) | platform.Rtc.GetCmos(0x31) | platform.Rtc.GetCmos(0x17) | platform.Rtc.GetCmos(0x18));
        platform.Ports.Write(0x43, 1, 0x34);
        platform.Ports.Write(0x40, 1, 0x00);
        platform.Ports.Write(0x40, 1, 0x10);
        host += 10_000_000;
        platform.RunTimers();
        Assert.Equal(1, platform.Pic.Master.Irr & 1);
    }
}
