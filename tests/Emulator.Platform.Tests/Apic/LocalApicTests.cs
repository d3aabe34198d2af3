using Emulator.Cpu;

namespace Emulator.Platform.Tests.Apic;

public sealed class LocalApicTests
{
    [Fact]
    public void ResetValuesAsQemu()
    {
        var h = new ApicHarness();
        Assert.Equal(0x0005_0014u, h[LocalApicRegister.Version]);
        Assert.Equal(0u, h[LocalApicRegister.Id]);
        Assert.Equal(0xFFu, h[LocalApicRegister.SpuriousVector]);
        Assert.Equal(0xFFFF_FFFFu, h[LocalApicRegister.DestinationFormat]);
        for (int lvt = LocalApicRegister.LvtTimer; lvt <= LocalApicRegister.LvtError; lvt += 0x10)
        {
            // The BSP's LINT0 is the PIC's virtual wire from reset (QEMU's apic_reset_common).
            Assert.Equal(lvt == LocalApicRegister.LvtLint0 ? 0x700u : LocalApicRegister.LvtMasked, h[lvt]);
        }

        Assert.Equal(ApicBaseBits.DefaultBase, h.Apic.BaseAddress);
        Assert.False(h.Apic.SoftwareEnabled);
    }

    [Fact]
    public void SoftwareDisabledHoldsFixedInterruptsAndForcesLvtMasks()
    {
        var h = new ApicHarness();
        h.Fixed(0x40);
        Assert.False(h.Apic.HasPendingInterrupt);
        h[LocalApicRegister.LvtTimer] = 0x30;
        Assert.Equal(LocalApicRegister.LvtMasked | 0x30, h[LocalApicRegister.LvtTimer]);
        h.Enable();
        Assert.True(h.Apic.HasPendingInterrupt);
        h[LocalApicRegister.LvtTimer] = 0x30;
        Assert.Equal(0x30u, h[LocalApicRegister.LvtTimer]);
    }

    [Fact]
    public void AcknowledgeMovesIrrToIsrAndEoiClearsHighest()
    {
        var h = new ApicHarness();
        h.Enable();
        h.Fixed(0x31);
        h.Fixed(0x51);
        Assert.Equal(0x51, h.Apic.AcknowledgeInterrupt());
        Assert.Equal(1u << 0x11, h[LocalApicRegister.InService + 0x20]);
        Assert.Equal(0x50u, h[LocalApicRegister.ProcessorPriority]);

        // 0x31 is below the in-service class: held until EOI.
        Assert.False(h.Apic.HasPendingInterrupt);
        Assert.Equal(1u << 0x11, h[LocalApicRegister.InterruptRequest + 0x10]);
        h[LocalApicRegister.EndOfInterrupt] = 0;
        Assert.True(h.Apic.HasPendingInterrupt);
        Assert.Equal(0x31, h.Apic.AcknowledgeInterrupt());
        Assert.Equal(0u, h[LocalApicRegister.InterruptRequest + 0x10]);
    }

    [Fact]
    public void TaskPriorityMasksClassesAndMapsToCr8()
    {
        var h = new ApicHarness();
        h.Enable();
        h[LocalApicRegister.TaskPriority] = 0x45;
        Assert.Equal(4ul, h.Apic.Cr8);
        Assert.Equal(0x45u, h[LocalApicRegister.ProcessorPriority]);
        h.Fixed(0x4F);
        Assert.False(h.Apic.HasPendingInterrupt);
        h.Apic.Cr8 = 3;
        Assert.Equal(0x30u, h[LocalApicRegister.TaskPriority]);
        Assert.True(h.Apic.HasPendingInterrupt);
    }

    [Fact]
    public void RaisedPriorityAfterRequestGivesTheSpuriousVector()
    {
        var h = new ApicHarness();
        h.Enable(0xEF);
        h.Fixed(0x40);
        h[LocalApicRegister.TaskPriority] = 0x80;
        Assert.Equal(0xEF, h.Apic.AcknowledgeInterrupt());
        Assert.Equal(0u, h[LocalApicRegister.InService + 0x20]);
    }

    [Fact]
    public void LevelTriggeredEoiIsBroadcast()
    {
        var h = new ApicHarness();
        var broadcast = new List<byte>();
        h.Apic.EndOfInterruptBroadcast = broadcast.Add;
        h.Enable();
        h.Fixed(0x60, level: true);
        h.Fixed(0x61);
        Assert.Equal(1u, h[LocalApicRegister.TriggerMode + 0x30]);
        Assert.Equal(0x61, h.Apic.AcknowledgeInterrupt());
        h[LocalApicRegister.EndOfInterrupt] = 0;
        Assert.Empty(broadcast);
        Assert.Equal(0x60, h.Apic.AcknowledgeInterrupt());
        h[LocalApicRegister.EndOfInterrupt] = 0;
        Assert.Equal([0x60], broadcast);
    }

    [Fact]
    public void IllegalVectorsSetEsrLatchedOnWrite()
    {
        var h = new ApicHarness();
        h.Enable();
        h.Fixed(3);
        Assert.Equal(0u, h[LocalApicRegister.ErrorStatus]);
        h[LocalApicRegister.ErrorStatus] = 0;
        Assert.Equal(1u << 6, h[LocalApicRegister.ErrorStatus]);
        h[LocalApicRegister.CommandLow] = 0x4_0005; // self IPI, vector 5
        h[LocalApicRegister.ErrorStatus] = 0;
        Assert.Equal(1u << 5, h[LocalApicRegister.ErrorStatus]);
        h[LocalApicRegister.ErrorStatus] = 0;
        Assert.Equal(0u, h[LocalApicRegister.ErrorStatus]);
    }

    [Fact]
    public void ErrorLvtDeliversItsVector()
    {
        var h = new ApicHarness();
        h.Enable();
        h[LocalApicRegister.LvtError] = 0xFE;
        h[0x3F0] = 1; // reserved register
        Assert.Equal(0xFE, h.Apic.AcknowledgeInterrupt());
    }

    [Fact]
    public void SelfIpiAndFixedIpiToOwnId()
    {
        var h = new ApicHarness();
        h.Enable();
        h[LocalApicRegister.CommandLow] = 0x4_0041;
        Assert.Equal(0x41, h.Apic.AcknowledgeInterrupt());
        h[LocalApicRegister.EndOfInterrupt] = 0;
        h[LocalApicRegister.CommandHigh] = 0;
        h[LocalApicRegister.CommandLow] = 0x52;
        Assert.Equal(0x52, h.Apic.AcknowledgeInterrupt());
        h[LocalApicRegister.EndOfInterrupt] = 0;
        h[LocalApicRegister.CommandHigh] = 5u << 24;
        h[LocalApicRegister.CommandLow] = 0x43;
        Assert.False(h.Apic.HasPendingInterrupt);
        h[LocalApicRegister.CommandLow] = 0x4_0400; // NMI to self
        Assert.True(h.Apic.HasPendingNmi);
        h.Apic.AcknowledgeNmi();
        Assert.False(h.Apic.HasPendingNmi);
    }

    [Fact]
    public void LogicalDestinationFlatAndCluster()
    {
        var h = new ApicHarness();
        h[LocalApicRegister.LogicalDestination] = 0x2400_0000;
        Assert.True(h.Apic.MatchesDestination(0x04, logical: true));
        Assert.False(h.Apic.MatchesDestination(0x01, logical: true));
        h[LocalApicRegister.DestinationFormat] = 0x0FFF_FFFF;
        Assert.Equal(0x0FFF_FFFFu, h[LocalApicRegister.DestinationFormat]);
        Assert.True(h.Apic.MatchesDestination(0x24, logical: true));
        Assert.False(h.Apic.MatchesDestination(0x14, logical: true));
        Assert.True(h.Apic.MatchesDestination(0xFF, logical: false));
        Assert.True(h.Apic.MatchesDestination(0x00, logical: false));
    }

    [Fact]
    public void Lint0ExtIntIsThePicVirtualWire()
    {
        var h = new ApicHarness();
        h.Apic.ExternalAcknowledge = () => 0x08;
        h.Apic.Lint0.Set(true);

        // The BSP's LINT0 is ExtINT from reset (QEMU); masked, the PIC is not heard.
        Assert.True(h.Apic.HasPendingInterrupt);
        h.Enable();
        h[LocalApicRegister.LvtLint0] = LocalApicRegister.LvtMasked | 0x700;
        Assert.False(h.Apic.HasPendingInterrupt);
        h[LocalApicRegister.LvtLint0] = 0x700;
        Assert.True(h.Apic.HasPendingInterrupt);
        Assert.Equal(0x08, h.Apic.AcknowledgeInterrupt());
        h.Apic.Lint0.Set(false);
        Assert.False(h.Apic.HasPendingInterrupt);
    }

    [Fact]
    public void GloballyDisabledApicPassesThePicThroughAndHidesThePage()
    {
        var h = new ApicHarness();
        h.Apic.ExternalAcknowledge = () => 0x20;
        h.Apic.Written(MsrIndex.ApicBase, ApicBaseBits.DefaultBase | ApicBaseBits.Bsp);
        Assert.False(h.Apic.HardwareEnabled);
        Assert.Equal(0u, h[LocalApicRegister.Version]);
        h.Apic.Lint0.Set(true);
        Assert.True(h.Apic.HasPendingInterrupt);
        Assert.Equal(0x20, h.Apic.AcknowledgeInterrupt());
    }

    [Fact]
    public void Lint1NmiOnRisingEdge()
    {
        var h = new ApicHarness();
        h.Enable();
        h[LocalApicRegister.LvtLint1] = 0x400;
        h.Apic.Lint1.Set(true);
        Assert.True(h.Apic.HasPendingNmi);
    }

    [Fact]
    public void RelocationIsReported()
    {
        var h = new ApicHarness();
        ulong? moved = null;
        h.Apic.Relocated = b => moved = b;
        h.Apic.Written(MsrIndex.ApicBase, 0xFED0_0000 | ApicBaseBits.Enable);
        Assert.Equal(0xFED0_0000ul, moved);
        Assert.Equal(0xFED0_0000ul, h.Apic.BaseAddress);
    }

    [Fact]
    public void OneShotTimerCountsDownWithDivideAndFiresOnce()
    {
        var h = new ApicHarness();
        h.Enable();
        h[LocalApicRegister.LvtTimer] = 0x30;
        h[LocalApicRegister.DivideConfiguration] = 0x1; // divide by 4
        h[LocalApicRegister.InitialCount] = 1000;
        h.Advance(400);
        Assert.Equal(900u, h[LocalApicRegister.CurrentCount]);
        Assert.False(h.Apic.HasPendingInterrupt);
        h.Advance(3600);
        Assert.Equal(0u, h[LocalApicRegister.CurrentCount]);
        Assert.Equal(0x30, h.Apic.AcknowledgeInterrupt());
        h[LocalApicRegister.EndOfInterrupt] = 0;
        h.Advance(100_000);
        Assert.False(h.Apic.HasPendingInterrupt);
        Assert.Equal(1000u, h[LocalApicRegister.InitialCount]);
    }

    [Fact]
    public void DivideBy1AndBy128()
    {
        var h = new ApicHarness();
        h[LocalApicRegister.DivideConfiguration] = 0xB;
        h[LocalApicRegister.InitialCount] = 100;
        h.Advance(10);
        Assert.Equal(90u, h[LocalApicRegister.CurrentCount]);
        h[LocalApicRegister.DivideConfiguration] = 0xA;
        h[LocalApicRegister.InitialCount] = 100;
        h.Advance(128 * 3);
        Assert.Equal(97u, h[LocalApicRegister.CurrentCount]);
    }

    [Fact]
    public void PeriodicTimerReloadsWithoutDrift()
    {
        var h = new ApicHarness();
        h.Enable();
        h[LocalApicRegister.DivideConfiguration] = 0xB;
        h[LocalApicRegister.LvtTimer] = (1u << 17) | 0x31;
        h[LocalApicRegister.InitialCount] = 100;
        h.Advance(150);
        Assert.Equal(50u, h[LocalApicRegister.CurrentCount]);
        Assert.Equal(0x31, h.Apic.AcknowledgeInterrupt());
        h[LocalApicRegister.EndOfInterrupt] = 0;
        Assert.Equal(200, h.Clock.NextDeadline);
        h.Advance(60);
        Assert.Equal(0x31, h.Apic.AcknowledgeInterrupt());
        Assert.Equal(300, h.Clock.NextDeadline);
    }

    [Fact]
    public void MaskedTimerStillCountsButDeliversNothing()
    {
        var h = new ApicHarness();
        h.Enable();
        h[LocalApicRegister.LvtTimer] = LocalApicRegister.LvtMasked | 0x30;
        h[LocalApicRegister.DivideConfiguration] = 0xB;
        h[LocalApicRegister.InitialCount] = 10;
        h.Advance(20);
        Assert.False(h.Apic.HasPendingInterrupt);
    }

    [Fact]
    public void TscDeadlineTimerFiresWhenTheGuestTscReachesIt()
    {
        var h = new ApicHarness();
        var system = new SystemServices(new CpuidModel(CpuModel.Qemu64), h.Tsc) { MsrExtension = h.Apic };
        h.Enable();
        var state = new CpuState();

        // Ignored outside TSC-deadline mode.
        Assert.True(ModelSpecificRegisters.TryWrite(ref state, system, MsrIndex.TscDeadline, 500));
        Assert.True(ModelSpecificRegisters.TryRead(ref state, system, MsrIndex.TscDeadline, out ulong ignored));
        Assert.Equal(0ul, ignored);

        h[LocalApicRegister.LvtTimer] = (2u << 17) | 0x32;
        system.SetTsc(1_000_000);
        Assert.True(ModelSpecificRegisters.TryWrite(ref state, system, MsrIndex.TscDeadline, 1_000_500));
        Assert.True(ModelSpecificRegisters.TryRead(ref state, system, MsrIndex.TscDeadline, out ulong armed));
        Assert.Equal(1_000_500ul, armed);
        h.Advance(499);
        Assert.False(h.Apic.HasPendingInterrupt);
        h.Advance(1);
        Assert.Equal(0x32, h.Apic.AcknowledgeInterrupt());
        Assert.Equal(0ul, h.Apic.TscDeadline);

        // A deadline already passed fires at the next check; writing 0 disarms.
        Assert.True(ModelSpecificRegisters.TryWrite(ref state, system, MsrIndex.TscDeadline, 5));
        h.Advance(0);
        Assert.Equal(1u << 0x12, h[LocalApicRegister.InterruptRequest + 0x10]);
        Assert.True(ModelSpecificRegisters.TryWrite(ref state, system, MsrIndex.TscDeadline, ulong.MaxValue));
        Assert.True(ModelSpecificRegisters.TryWrite(ref state, system, MsrIndex.TscDeadline, 0));
        Assert.Null(h.Clock.NextDeadline);
        Assert.False(ModelSpecificRegisters.TryRead(ref state, system, 0x6E1, out _));
    }

    [Fact]
    public void ApicBaseWritesReachTheApicThroughTheMsrHook()
    {
        var h = new ApicHarness();
        var system = new SystemServices(new CpuidModel(CpuModel.Qemu64), h.Tsc) { MsrExtension = h.Apic };
        var state = new CpuState { ApicBase = h.Apic.BaseMsr };
        Assert.True(ModelSpecificRegisters.TryWrite(ref state, system, MsrIndex.ApicBase, ApicBaseBits.DefaultBase));
        Assert.False(h.Apic.HardwareEnabled);
    }

    [Fact]
    public void CpuidAdvertisesTscDeadlineOnlyWhenAsked()
    {
        Assert.Equal(0u, new CpuidModel(CpuModel.Qemu64).Query(1, 0).Ecx & CpuidFeatures.TscDeadline);
        Assert.NotEqual(0u, new CpuidModel(CpuModel.Qemu64) { TscDeadlineTimer = true }.Query(1, 0).Ecx & CpuidFeatures.TscDeadline);
    }
}
