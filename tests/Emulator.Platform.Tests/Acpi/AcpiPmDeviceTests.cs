using Emulator.Tests.Shared;

namespace Emulator.Platform.Tests;

public sealed class AcpiPmDeviceTests
{
    private readonly ManualClock _clock = new();
    private readonly RecordingLine _sci = new();
    private int _powerOffs;

    private AcpiPmDevice Create(bool sciEnabled = true) => new(_clock, _sci, () => _powerOffs++, sciEnabled);

    [Fact]
    public void TimerCountsAt3579545HzAndWrapsAt24Bits()
    {
        AcpiPmDevice pm = Create();
        Assert.Equal(0u, pm.Read(AcpiPmDevice.TimerOffset, 4));
        _clock.Advance(1_000_000_000);
        Assert.Equal(3_579_545u & 0xFF_FFFF, pm.Read(AcpiPmDevice.TimerOffset, 4));
        _clock.Advance(4_000_000_000); // 5 s: 17,897,725 ticks, past 2^24
        Assert.Equal(17_897_725u & 0xFF_FFFF, pm.Read(AcpiPmDevice.TimerOffset, 4));
        Assert.Equal((17_897_725u >> 16) & 0xFF, pm.Read(AcpiPmDevice.TimerOffset + 2, 1));
        pm.Write(AcpiPmDevice.TimerOffset, 4, 0);
        Assert.Equal(17_897_725u & 0xFF_FFFF, pm.Read(AcpiPmDevice.TimerOffset, 4));
    }

    [Fact]
    public void SlpEnWithS5TypeRequestsPowerOffAndOtherTypesDoNot()
    {
        AcpiPmDevice pm = Create();
        pm.Write(AcpiPmDevice.ControlOffset, 2, (1u << 10) | (1u << 13) | 1);
        Assert.Equal(0, _powerOffs);
        pm.Write(AcpiPmDevice.ControlOffset, 2, (AcpiPmDevice.S5SleepType << 10) | 1);
        Assert.Equal(0, _powerOffs);
        pm.Write(AcpiPmDevice.ControlOffset, 2, (AcpiPmDevice.S5SleepType << 10) | (1u << 13) | 1);
        Assert.Equal(1, _powerOffs);
        Assert.Equal(0u, pm.Read(AcpiPmDevice.ControlOffset, 2) & (1u << 13)); // SLP_EN reads zero
        Assert.Equal((uint)(AcpiPmDevice.S5SleepType << 10) | 1, pm.Read(AcpiPmDevice.ControlOffset, 2));
    }

    [Fact]
    public void PowerButtonRaisesSciOnlyWhenEnabledAndStatusIsWriteOneToClear()
    {
        AcpiPmDevice pm = Create();
        pm.PressPowerButton();
        Assert.False(_sci.Level);
        Assert.Equal(AcpiPmDevice.PowerButtonStatus, (ushort)pm.Read(0, 2));
        pm.Write(AcpiPmDevice.EnableOffset, 2, AcpiPmDevice.PowerButtonStatus);
        Assert.True(_sci.Level);
        pm.Write(0, 2, 0); // writing zeros clears nothing
        Assert.True(_sci.Level);
        pm.Write(1, 1, AcpiPmDevice.PowerButtonStatus >> 8);
        Assert.False(_sci.Level);
        Assert.Equal(0u, pm.Read(0, 2));
    }

    [Fact]
    public void RtcEnableSticksAsLinuxReadsItBack()
    {
        // Linux writes RTC_EN (bit 10) and reads it back when rtc_cmos installs its ACPI fixed-event handler.
        AcpiPmDevice pm = Create();
        pm.Write(AcpiPmDevice.EnableOffset, 2, AcpiPmDevice.RtcStatus);
        Assert.Equal(AcpiPmDevice.RtcStatus, (ushort)pm.Read(AcpiPmDevice.EnableOffset, 2));
        pm.Write(AcpiPmDevice.EnableOffset + 1, 1, 0);
        Assert.Equal(0u, pm.Read(AcpiPmDevice.EnableOffset, 2));
        Assert.False(_sci.Level);
    }

    [Fact]
    public void SciEnClearMasksTheSci()
    {
        AcpiPmDevice pm = Create(sciEnabled: false);
        pm.Write(AcpiPmDevice.EnableOffset, 2, AcpiPmDevice.PowerButtonStatus);
        pm.PressPowerButton();
        Assert.False(_sci.Level);
        pm.Write(AcpiPmDevice.ControlOffset, 1, AcpiPmDevice.SciEnable);
        Assert.True(_sci.Level);
    }

    [Fact]
    public void TimerOverflowSetsTmrStsAndRaisesSciThroughADeviceTimer()
    {
        AcpiPmDevice pm = Create();
        pm.Write(AcpiPmDevice.EnableOffset, 2, AcpiPmDevice.TimerStatus);
        long deadline = Assert.Single(_clock.ArmedDeadlines);
        Assert.InRange(deadline, 2_343_000_000, 2_344_000_000); // 2^23 ticks
        _clock.Advance(deadline - 1);
        Assert.False(_sci.Level);
        _clock.Advance(1);
        Assert.True(_sci.Level);
        Assert.Equal(AcpiPmDevice.TimerStatus, (ushort)pm.Read(0, 2));
        pm.Write(0, 2, AcpiPmDevice.TimerStatus);
        Assert.False(_sci.Level);
        Assert.True(Assert.Single(_clock.ArmedDeadlines) > deadline);
    }

    [Fact]
    public void ResetRegisterRequestsResetOnRstCpu()
    {
        int resets = 0;
        var reset = new ResetControlRegister(() => resets++);
        reset.Write(0, 1, 0x02);
        Assert.Equal(0, resets);
        Assert.Equal(0x02u, reset.Read(0, 1));
        reset.Write(0, 1, ResetControlRegister.ResetValue);
        Assert.Equal(1, resets);
    }

    [Fact]
    [Trait("Category", FuzzBudget.Category)]
    public void RandomAccessesNeverThrowAndKeepInvariants()
    {
        var random = new Random(9);
        AcpiPmDevice pm = Create();
        int[] sizes = [1, 2, 4];
        for (int i = 0; i < FuzzBudget.Iterations(50_000); i++)
        {
            ushort offset = (ushort)random.Next(0, AcpiPmDevice.BlockLength + 4);
            int size = sizes[random.Next(3)];
            if (random.Next(2) == 0)
            {
                pm.Write(offset, size, (uint)random.NextInt64());
            }
            else
            {
                uint value = pm.Read(offset, size);
                Assert.True(size == 4 || value >> (8 * size) == 0);
            }

            if (random.Next(100) == 0)
            {
                _clock.Advance(random.NextInt64(0, 3_000_000_000));
            }

            Assert.True(pm.TimerValue <= 0xFF_FFFF);
            Assert.Equal(0, pm.Control & AcpiPmDevice.SleepEnable);
            Assert.Equal(_sci.Level, (pm.Control & 1) != 0 && (pm.Status & pm.Enable) != 0);
        }
    }
}
